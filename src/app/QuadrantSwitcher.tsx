// Quadrant switcher: each quadrant's footprint on the sky (East left, North up) against the
// sub-tile's core and extended bounds, and how many selected sources each quadrant sees.
import { useMemo } from 'react';
import { useWorkbench } from '../state/store';
import type { WorkbenchData } from '../state/workbench-data';

const W = 220;
const H = 200;

export function QuadrantSwitcher({ data }: { data: WorkbenchData }) {
  const current = useWorkbench((s) => s.quadrant);
  const setQuadrant = useWorkbench((s) => s.setQuadrant);
  const counts = useMemo(() => data.quadrants.map((_, k) => data.sources.filter((s) => s.perQuadrant[k]?.visible).length), [data]);

  const geo = useMemo(() => {
    const b = data.skyBounds;
    const ra0 = (b.extended_ra[0] + b.extended_ra[1]) / 2;
    const dec0 = (b.extended_dec[0] + b.extended_dec[1]) / 2;
    const cosd = Math.cos((dec0 * Math.PI) / 180);
    // Tangent-plane-ish offsets in degrees, East to the left.
    const dra = (ra: number) => ((ra - ra0 + 540) % 360) - 180;
    const proj = (ra: number, dec: number): [number, number] => [-dra(ra) * cosd, dec - dec0];
    const box = (r: [number, number], d: [number, number]) => [proj(r[0], d[0]), proj(r[1], d[0]), proj(r[1], d[1]), proj(r[0], d[1])];
    const polys = {
      extended: box(b.extended_ra, b.extended_dec),
      core: box(b.core_ra, b.core_dec),
      quads: data.quadrants.map((q) => q.footprint.map(([ra, dec]) => proj(ra, dec))),
    };
    const all = [...polys.extended, ...polys.quads.flat()];
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const s = 0.9 * Math.min(W / (x1 - x0 || 1), H / (y1 - y0 || 1));
    const tx = (p: [number, number]) => `${(W / 2 + (p[0] - (x0 + x1) / 2) * s).toFixed(1)},${(H / 2 - (p[1] - (y0 + y1) / 2) * s).toFixed(1)}`;
    const pts = (ps: Array<[number, number]>) => ps.map(tx).join(' ');
    return { extended: pts(polys.extended), core: pts(polys.core), quads: polys.quads.map(pts) };
  }, [data]);

  return (
    <section className="quadrants" data-testid="quadrant-switcher">
      <h2>Quadrants</h2>
      <svg width={W} height={H} className="footprints" aria-label="quadrant footprints on the sky, East left, North up">
        <polygon points={geo.extended} className="bounds-extended" />
        <polygon points={geo.core} className="bounds-core" />
        {geo.quads.map((p, k) => (
          <polygon key={k} points={p} className={k === current ? 'fp fp-current' : 'fp'} data-testid={`footprint-${k}`} onClick={() => setQuadrant(k)}>
            <title>{data.quadrants[k].label}</title>
          </polygon>
        ))}
      </svg>
      <div className="legend muted">
        <span className="sw-core" /> core <span className="sw-ext" /> extended · E left, N up
      </div>
      <ul>
        {data.quadrants.map((q, k) => (
          <li key={k}>
            <button type="button" data-testid={`quadrant-${k}`} aria-pressed={k === current} className={k === current ? 'current' : ''} onClick={() => setQuadrant(k)}>
              {q.label} · {q.nx}×{q.ny} · {counts[k]} sources
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
