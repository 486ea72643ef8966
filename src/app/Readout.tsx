// Pixel readout under the mouse: 0-based x, y, RA/Dec from the quadrant's WCS, each panel's value.
import { useWorkbench } from '../state/store';
import { PANEL_KINDS, type PanelKind, type WorkbenchData } from '../state/workbench-data';

/** Value of a panel's image at integer pixel (x, y), or undefined outside / without an image. */
export function panelValue(kind: PanelKind, x: number, y: number): number | undefined {
  const s = useWorkbench.getState();
  const quad = s.data?.quadrants[s.quadrant];
  if (!quad || x < 0 || y < 0 || x >= quad.nx || y >= quad.ny) return undefined;
  const img = kind === 'observed' ? quad.observed : s.images[s.quadrant]?.[kind];
  return img ? img[y * quad.nx + x] : undefined;
}

function sexagesimal(deg: number, hours: boolean): string {
  const sign = deg < 0 ? '−' : hours ? '' : '+';
  let v = Math.abs(hours ? deg / 15 : deg);
  const a = Math.floor(v);
  v = (v - a) * 60;
  const b = Math.floor(v);
  const c = (v - b) * 60;
  return `${sign}${String(a).padStart(2, '0')}:${String(b).padStart(2, '0')}:${c.toFixed(hours ? 2 : 1).padStart(hours ? 5 : 4, '0')}`;
}

const fmt = (v: number | undefined) => (v === undefined ? '—' : Number.isFinite(v) ? v.toPrecision(5) : String(v));

export function Readout({ data }: { data: WorkbenchData }) {
  const hover = useWorkbench((s) => s.hover);
  const q = useWorkbench((s) => s.quadrant);
  useWorkbench((s) => s.images[q]); // re-render when the engine feeds images
  const quad = data.quadrants[q];
  if (!hover) return <div className="readout muted" data-testid="readout">move the mouse over an image for pixel values</div>;
  const x = Math.round(hover.x);
  const y = Math.round(hover.y);
  const inside = x >= 0 && y >= 0 && x < quad.nx && y < quad.ny;
  const [ra, dec] = quad.pixToSky(x, y);
  return (
    <div className="readout" data-testid="readout" data-x={x} data-y={y} data-ra={ra} data-dec={dec}>
      <span>
        x {x} y {y}
        {!inside && ' (outside)'}
      </span>
      <span>
        RA {ra.toFixed(6)}° ({sexagesimal(ra, true)}) Dec {dec.toFixed(6)}° ({sexagesimal(dec, false)})
      </span>
      {PANEL_KINDS.map((k) => (
        <span key={k} data-testid={`readout-${k}`}>
          {k} {fmt(panelValue(k, x, y))}
        </span>
      ))}
    </div>
  );
}
