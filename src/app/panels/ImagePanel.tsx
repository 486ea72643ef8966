// One image panel: WebGL image (three), source ellipses (SVG), linked pan/zoom, hover and click.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useWorkbench } from '../../state/store';
import type { ColourMap, Stretch, View } from '../../state/share';
import type { PanelKind, UiQuadrant, UiSource } from '../../state/workbench-data';
import { ImageRenderer } from './image-renderer';
import { ellipsePoints, fittedEllipsePoints, OVERLAY_HLR_SCALE } from './overlay';
import { useRun } from '../../state/run';
import { imageToScreen, screenToImage, zoomAbout } from './view-math';

export interface PanelProps {
  kind: PanelKind;
  title: string;
  image: Float32Array | undefined;
  /** Shown instead of the image when there is none. */
  emptyText: string;
  quadrant: UiQuadrant;
  lo: number;
  hi: number;
  stretch: Stretch;
  cmap: ColourMap;
  sources: UiSource[];
  colourOf(s: UiSource): string;
  /** This panel reports its size to the store (used to fit the view). */
  reportsSize?: boolean;
}

export function ImagePanel(p: PanelProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const rendererRef = useRef<ImageRenderer | null>(null);
  const [size, setSize] = useState({ w: 0, h: 0 });
  const [glError, setGlError] = useState<string | null>(null);
  const view = useWorkbench((s) => s.view);
  const hover = useWorkbench((s) => s.hover);
  const selected = useWorkbench((s) => s.source);
  // Ellipses follow the fit once the engine has one (hlr, e1, e2 and the shear), else the catalogue.
  const fits = useWorkbench((s) => s.fits);
  const g1 = useRun((s) => (s.params ? s.params[0] : 0));
  const g2 = useRun((s) => (s.params ? s.params[1] : 0));
  const { setView, setHover, selectSource, setPanelSize } = useWorkbench.getState();

  // Size: the wrapper's CSS box, in whole pixels.
  useEffect(() => {
    const el = wrapRef.current!;
    const ro = new ResizeObserver(() => {
      const s = { w: Math.floor(el.clientWidth), h: Math.floor(el.clientHeight) };
      setSize(s);
      if (p.reportsSize) setPanelSize(s);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [p.reportsSize, setPanelSize]);

  useEffect(() => {
    try {
      rendererRef.current = new ImageRenderer(canvasRef.current!);
    } catch (e) {
      setGlError(`WebGL is not available, images cannot be drawn: ${(e as Error).message}`);
    }
    return () => {
      rendererRef.current?.dispose();
      rendererRef.current = null;
    };
  }, []);

  // Draw whenever anything visible changes (no animation loop: idle panels cost nothing).
  useEffect(() => {
    const r = rendererRef.current;
    if (!r || size.w === 0 || !view) return;
    r.setSize(size.w, size.h);
    r.setImage(p.image ?? null, p.quadrant.nx, p.quadrant.ny);
    r.setDisplay(p.lo, p.hi, p.stretch, p.cmap);
    r.setView(view);
    r.render();
  }, [p.image, p.quadrant, p.lo, p.hi, p.stretch, p.cmap, view, size]);

  // Wheel zoom about the cursor (a native listener: React's wheel handler cannot preventDefault).
  useEffect(() => {
    const el = wrapRef.current!;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const v = useWorkbench.getState().view;
      if (!v) return;
      const rect = el.getBoundingClientRect();
      const factor = Math.exp(-e.deltaY * 0.0015);
      setView(zoomAbout(v, { w: rect.width, h: rect.height }, e.clientX - rect.left, e.clientY - rect.top, factor));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [setView]);

  const drag = useRef<{ x: number; y: number; view: View; moved: boolean } | null>(null);
  const local = (e: React.PointerEvent) => {
    const rect = wrapRef.current!.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top] as const;
  };
  const onPointerDown = (e: React.PointerEvent) => {
    if (!view || e.button !== 0) return;
    (e.target as Element).setPointerCapture?.(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, view, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent) => {
    const d = drag.current;
    if (d) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (d.moved || Math.abs(dx) + Math.abs(dy) > 3) {
        d.moved = true;
        setView({ cx: d.view.cx - dx / d.view.zoom, cy: d.view.cy + dy / d.view.zoom, zoom: d.view.zoom });
        return;
      }
    }
    if (!view) return;
    const [sx, sy] = local(e);
    const [x, y] = screenToImage(view, size, sx, sy);
    setHover({ x, y });
  };
  const onPointerUp = (e: React.PointerEvent) => {
    const d = drag.current;
    drag.current = null;
    if (!d || d.moved || !view) return;
    // A click: select the source whose centre is nearest, within its ellipse (or 6 screen px).
    const [sx, sy] = local(e);
    let best: UiSource | null = null;
    let bestD = Infinity;
    for (const s of p.sources) {
      const q = s.perQuadrant[p.quadrant.index];
      const [px, py] = imageToScreen(view, size, q.x, q.y);
      const dist = Math.hypot(px - sx, py - sy);
      const scale = Math.sqrt(Math.abs(q.jac[0] * q.jac[3] - q.jac[1] * q.jac[2])) || 0.1;
      const reach = Math.max(6, (OVERLAY_HLR_SCALE * s.hlr * view.zoom) / scale);
      if (dist < reach && dist < bestD) {
        best = s;
        bestD = dist;
      }
    }
    if (best) selectSource(best.object_id, { centre: false });
  };

  const ellipses = useMemo(() => {
    if (!view || size.w === 0) return [];
    const margin = 40;
    const out: Array<{ id: number; points: string; colour: string; selected: boolean }> = [];
    for (const s of p.sources) {
      const q = s.perQuadrant[p.quadrant.index];
      const [cx, cy] = imageToScreen(view, size, q.x, q.y);
      if (cx < -margin || cy < -margin || cx > size.w + margin || cy > size.h + margin) continue;
      const f = fits[s.object_id];
      const shape = f && f.hlr !== undefined && f.e1 !== undefined && f.e2 !== undefined ? { hlr: f.hlr, e1: f.e1, e2: f.e2 } : null;
      const img = shape ? fittedEllipsePoints(s, p.quadrant.index, shape, [g1, g2]) : ellipsePoints(s, p.quadrant.index);
      const pts = img.map(([x, y]) => imageToScreen(view, size, x, y));
      out.push({ id: s.object_id, points: pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '), colour: p.colourOf(s), selected: s.object_id === selected });
    }
    return out;
  }, [view, size, p.sources, p.quadrant, p.colourOf, selected, fits, g1, g2]);

  const marker = hover && view ? imageToScreen(view, size, Math.round(hover.x), Math.round(hover.y)) : null;
  const px = view ? view.zoom : 1;

  return (
    <figure className="panel" data-testid={`panel-${p.kind}`} data-has-image={p.image ? 'yes' : 'no'}>
      <figcaption>{p.title}</figcaption>
      <div
        ref={wrapRef}
        className="panel-canvas"
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerLeave={() => setHover(null)}
      >
        <canvas ref={canvasRef} data-testid={`canvas-${p.kind}`} />
        {!p.image && <div className="panel-empty">{p.emptyText}</div>}
        {glError && <div className="panel-empty error">{glError}</div>}
        <svg className="panel-overlay" width={size.w} height={size.h}>
          {ellipses.map((e) => (
            <polygon key={e.id} points={e.points} fill="none" stroke={e.selected ? '#ff4081' : e.colour} strokeWidth={e.selected ? 2.5 : 1.2} />
          ))}
          {marker && (
            <rect x={marker[0] - Math.max(px, 4) / 2} y={marker[1] - Math.max(px, 4) / 2} width={Math.max(px, 4)} height={Math.max(px, 4)} fill="none" stroke="#00e5ff" strokeWidth={1} />
          )}
        </svg>
      </div>
    </figure>
  );
}
