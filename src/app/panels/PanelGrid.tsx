// The four linked panels of the selected quadrant: observed, model, residual, χ. Observed and model
// share limits and colour map (comparable by eye); residual and χ use symmetric limits, diverging map.
import { useCallback, useEffect, useMemo } from 'react';
import { useWorkbench } from '../../state/store';
import type { UiSource, WorkbenchData } from '../../state/workbench-data';
import { lutCss } from './colormaps';
import { ImagePanel } from './ImagePanel';
import { computeLimits, symmetric, type Limits } from './limits';
import { logPosition } from './overlay';

export const BLINK_MS = 700;

/** Colour of each source's overlay: by χ² once the engine provides it, by catalogue SNR until then. */
export function useOverlayColour(sources: UiSource[]) {
  const fits = useWorkbench((s) => s.fits);
  return useMemo(() => {
    const haveChi2 = sources.some((s) => fits[s.object_id]?.chi2 !== undefined);
    const val = (s: UiSource) => (haveChi2 ? (fits[s.object_id]?.chi2 ?? NaN) : s.snr);
    const vals = sources.map(val).filter((v) => v > 0);
    const lo = vals.length ? Math.min(...vals) : 1;
    const hi = vals.length ? Math.max(...vals) : 10;
    return { by: haveChi2 ? 'χ²' : 'SNR', lo, hi, colourOf: (s: UiSource) => lutCss('viridis', logPosition(val(s), lo, hi)) };
  }, [sources, fits]);
}

export function PanelGrid({ data }: { data: WorkbenchData }) {
  const q = useWorkbench((s) => s.quadrant);
  const stretch = useWorkbench((s) => s.stretch);
  const limitMode = useWorkbench((s) => s.limits);
  const cmap = useWorkbench((s) => s.cmap);
  const imgs = useWorkbench((s) => s.images[q]);
  const blink = useWorkbench((s) => s.blink);
  const blinkModel = useWorkbench((s) => s.blinkModel);
  const quad = data.quadrants[q];

  useEffect(() => {
    if (!blink) return;
    const t = setInterval(() => useWorkbench.getState().setBlinkModel(!useWorkbench.getState().blinkModel), BLINK_MS);
    return () => clearInterval(t);
  }, [blink]);

  const obsLimits = useMemo(() => computeLimits(quad.observed, limitMode), [quad, limitMode]);
  const signed = useCallback((a: Float32Array | undefined): Limits => (a ? symmetric(computeLimits(a, limitMode)) : { lo: -1, hi: 1 }), [limitMode]);
  const resLimits = useMemo(() => signed(imgs?.residual), [imgs?.residual, signed]);
  const chiLimits = useMemo(() => signed(imgs?.chi), [imgs?.chi, signed]);

  const visible = useMemo(() => data.sources.filter((s) => s.perQuadrant[q]?.visible && Number.isFinite(s.perQuadrant[q].x)), [data, q]);
  const { colourOf } = useOverlayColour(visible);

  const showModel = blink && blinkModel;
  const common = { quadrant: quad, stretch, sources: visible, colourOf };
  return (
    <div className="panel-grid" data-testid="panel-grid" data-limits={`${obsLimits.lo},${obsLimits.hi}`}>
      <ImagePanel
        {...common}
        kind="observed"
        reportsSize
        title={blink ? (showModel ? 'blink: model' : 'blink: observed') : 'observed'}
        image={showModel ? imgs?.model : quad.observed}
        emptyText="no model yet"
        lo={obsLimits.lo}
        hi={obsLimits.hi}
        cmap={cmap}
      />
      <ImagePanel {...common} kind="model" title="model" image={imgs?.model} emptyText="no model yet" lo={obsLimits.lo} hi={obsLimits.hi} cmap={cmap} />
      <ImagePanel {...common} kind="residual" title="residual (observed − model)" image={imgs?.residual} emptyText="no model yet" lo={resLimits.lo} hi={resLimits.hi} stretch="linear" cmap="diverging" />
      <ImagePanel {...common} kind="chi" title="χ = residual · √ivar" image={imgs?.chi} emptyText="no model yet" lo={chiLimits.lo} hi={chiLimits.hi} stretch="linear" cmap="diverging" />
    </div>
  );
}
