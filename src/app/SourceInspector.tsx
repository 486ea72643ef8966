// The selected source: catalogue row, fitted parameters with errors, observed / model / residual
// stamps in every quadrant that sees it, parameter trajectories over the fit, and local refits
// (exclude it and refit; refit its neighbourhood with everything else fixed).
import { useEffect, useMemo, useRef } from 'react';
import { sourceParams, useRun } from '../state/run';
import { useWorkbench } from '../state/store';
import type { UiQuadrant, UiSource, WorkbenchData } from '../state/workbench-data';
import { engineSession } from './engine-client';
import { colourLut } from './panels/colormaps';
import { polylinePoints } from './run/chart-math';
import { neighbours, stampBox, stampLimits } from './run/stamps';

function StampCanvas({ data, quad, box, lo, hi, diverging, testId }: { data: Float32Array | undefined; quad: UiQuadrant; box: ReturnType<typeof stampBox>; lo: number; hi: number; diverging: boolean; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    c.width = box.w;
    c.height = box.h;
    const img = ctx.createImageData(box.w, box.h);
    const lut = colourLut(diverging ? 'diverging' : 'grey');
    for (let j = 0; j < box.h; j++) {
      // Image y grows upwards (FITS convention, as in the panels): the canvas's first row is the top.
      const y = box.y0 + box.h - 1 - j;
      for (let i = 0; i < box.w; i++) {
        const x = box.x0 + i;
        const o = (j * box.w + i) * 4;
        const v = data && x >= 0 && y >= 0 && x < quad.nx && y < quad.ny ? data[y * quad.nx + x] : NaN;
        if (!Number.isFinite(v)) {
          img.data.set([40, 30, 50, 255], o);
          continue;
        }
        const t = Math.max(0, Math.min(1, (v - lo) / (hi - lo || 1)));
        const k = Math.round(t * 255) * 4;
        img.data.set([lut[k], lut[k + 1], lut[k + 2], 255], o);
      }
    }
    ctx.putImageData(img, 0, 0);
  }, [data, quad, box, lo, hi, diverging]);
  return data ? <canvas ref={ref} className="stamp" data-testid={testId} /> : <div className="stamp stamp-empty">—</div>;
}

function Stamps({ data, src }: { data: WorkbenchData; src: UiSource }) {
  const images = useWorkbench((s) => s.images);
  return (
    <div className="stamps" data-testid="inspector-stamps">
      {data.quadrants.map((quad, k) => {
        const p = src.perQuadrant[k];
        if (!p?.visible || !Number.isFinite(p.x)) return null;
        const box = stampBox(p, src.hlr);
        const { lo, hi } = stampLimits(quad.observed, quad, box);
        const amp = (hi - lo) / 2;
        return (
          <div key={k} className="stamp-row" data-testid={`stamps-q${k}`}>
            <span className="muted stamp-label">{quad.name}</span>
            <StampCanvas testId={`stamp-observed-q${k}`} data={quad.observed} quad={quad} box={box} lo={lo} hi={hi} diverging={false} />
            <StampCanvas testId={`stamp-model-q${k}`} data={images[k]?.model} quad={quad} box={box} lo={lo} hi={hi} diverging={false} />
            <StampCanvas testId={`stamp-residual-q${k}`} data={images[k]?.residual} quad={quad} box={box} lo={-amp} hi={amp} diverging />
          </div>
        );
      })}
      <div className="stamp-row muted stamp-legend">
        <span className="stamp-label" />
        <span>observed</span>
        <span>model</span>
        <span>residual</span>
      </div>
    </div>
  );
}

function Sparkline({ xs, ys }: { xs: number[]; ys: number[] }) {
  const { points } = polylinePoints({ xs, ys }, 90, 18);
  return (
    <svg width={90} height={18} className="sparkline">
      {points && <polyline points={points} fill="none" stroke="#9cc4ff" strokeWidth={1} />}
    </svg>
  );
}

const fmt = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toPrecision(4)) : '—');

export function SourceInspector({ data }: { data: WorkbenchData }) {
  const id = useWorkbench((s) => s.source);
  const fit = useWorkbench((s) => (id !== null ? s.fits[id] : undefined));
  const index = useRun((s) => s.index);
  const params = useRun((s) => s.params);
  const sigma = useRun((s) => s.sigma);
  const origin = useRun((s) => s.origin);
  const trajectory = useRun((s) => s.trajectory);
  const excluded = useRun((s) => s.excluded);
  const phase = useRun((s) => s.phase);
  const engine = useRun((s) => s.engine);
  const radius = useRun((s) => s.settings.radius);
  const src = useMemo(() => data.sources.find((s) => s.object_id === id), [data, id]);
  if (!src) {
    return (
      <section className="inspector" data-testid="inspector">
        <h2>Source</h2>
        <p className="muted">Click a source in a panel or the list (n / p step through the list).</p>
      </section>
    );
  }
  const values = index && params ? sourceParams(index, params, sigma, src.object_id) : null;
  const k = index ? index.objectIds.indexOf(src.object_id) : -1;
  const isExcluded = excluded.includes(src.object_id);
  const busy = phase === 'running' || phase === 'paused' || phase === 'stopping' || phase === 'uncertainty';
  const canRun = engine.kind === 'ready' && !busy && k >= 0;
  const session = engineSession();
  const near = neighbours(data.sources, src, radius);
  return (
    <section className="inspector" data-testid="inspector" data-id={src.object_id}>
      <h2>
        Source {src.object_id} <span className="muted">{src.kind}{src.core ? ', core' : ', margin'}{isExcluded ? ', excluded' : ''}</span>
      </h2>
      <table className="kv" data-testid="inspector-catalogue">
        <tbody>
          <tr><th>RA, Dec</th><td>{src.ra.toFixed(6)}, {src.dec.toFixed(6)}</td></tr>
          <tr><th>SNR</th><td>{src.snr.toFixed(1)}</td></tr>
          <tr><th>flux (cat.)</th><td>{fmt(src.flux)} µJy</td></tr>
          <tr><th>hlr (cat.)</th><td>{fmt(src.hlr)}″</td></tr>
          <tr><th>ellipticity, PA</th><td>{fmt(src.ellipticity)}, {fmt(src.pa)}°</td></tr>
          <tr><th>χ² (stamps)</th><td data-testid="inspector-chi2">{fmt(fit?.chi2 ?? NaN)}</td></tr>
        </tbody>
      </table>
      {values ? (
        <table className="kv params" data-testid="inspector-params" data-origin={origin}>
          <thead>
            <tr><th>param</th><th>{origin === 'catalogue' ? 'start' : 'value'}</th><th>±1σ</th><th>over the fit</th></tr>
          </thead>
          <tbody>
            {values.map((v, j) => (
              <tr key={v.name} data-testid={`param-${v.name}`} data-value={v.value} data-error={v.error ?? ''}>
                <th>{v.name}</th>
                <td>{fmt(v.value)}</td>
                <td>{v.error !== null ? fmt(v.error) : '—'}</td>
                <td>{trajectory.steps.length > 1 && <Sparkline xs={trajectory.steps} ys={trajectory.params.map((p) => p[index!.offsets[k] + j])} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">{index ? 'Not in the fit (no unmasked pixels in any quadrant).' : 'Parameters appear once the engine is ready.'}</p>
      )}
      <Stamps data={data} src={src} />
      <div className="inspector-actions">
        {isExcluded ? (
          <button
            type="button"
            data-testid="include-refit"
            disabled={!canRun}
            onClick={() => {
              useRun.getState().setExcluded(excluded.filter((x) => x !== src.object_id));
              void session?.fit({ label: `with ${src.object_id} again` });
            }}
          >
            include and refit
          </button>
        ) : (
          <button
            type="button"
            data-testid="exclude-refit"
            disabled={!canRun}
            onClick={() => {
              useRun.getState().setExcluded([...excluded, src.object_id]);
              void session?.fit({ label: `without ${src.object_id}` });
            }}
          >
            exclude and refit
          </button>
        )}
        <button
          type="button"
          data-testid="refit-neighbourhood"
          disabled={!canRun || isExcluded}
          title="Free only the sources within R of this one (shear and all others fixed)"
          onClick={() => void session?.fit({ onlySources: near.map((s) => s.object_id), label: `neighbourhood of ${src.object_id} (${radius}″, ${near.length} sources)` })}
        >
          refit neighbourhood
        </button>
        <label>
          R{' '}
          <input type="number" min={0.1} step={0.5} value={radius} data-testid="neighbourhood-radius" onChange={(e) => useRun.getState().setSettings({ radius: Math.max(0.1, Number(e.target.value) || radius) })} />″
          <span className="muted"> ({near.length} sources)</span>
        </label>
      </div>
    </section>
  );
}
