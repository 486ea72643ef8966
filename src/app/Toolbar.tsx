// Display controls: stretch, limits, colour map, blink, reset, share.
import { useState } from 'react';
import { COLOUR_MAPS, LIMIT_MODES, STRETCHES, type ColourMap, type LimitMode, type Stretch } from '../state/share';
import { shareQuery, useWorkbench } from '../state/store';

const LIMIT_LABELS: Record<LimitMode, string> = { minmax: 'min/max', zscale: 'zscale', p99: '99 %', 'p99.5': '99.5 %', 'p99.9': '99.9 %' };

export function shareLink(): string {
  return location.origin + location.pathname + shareQuery(useWorkbench.getState());
}

export function Toolbar() {
  const stretch = useWorkbench((s) => s.stretch);
  const limits = useWorkbench((s) => s.limits);
  const cmap = useWorkbench((s) => s.cmap);
  const blink = useWorkbench((s) => s.blink);
  const { setDisplay, toggleBlink, resetView } = useWorkbench.getState();
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <div className="toolbar" role="toolbar">
      <label>
        stretch{' '}
        <select data-testid="stretch" value={stretch} onChange={(e) => setDisplay({ stretch: e.target.value as Stretch })}>
          {STRETCHES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        limits{' '}
        <select data-testid="limits" value={limits} onChange={(e) => setDisplay({ limits: e.target.value as LimitMode })}>
          {LIMIT_MODES.map((s) => (
            <option key={s} value={s}>
              {LIMIT_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label>
        colours{' '}
        <select data-testid="cmap" value={cmap} onChange={(e) => setDisplay({ cmap: e.target.value as ColourMap })}>
          {COLOUR_MAPS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <button type="button" data-testid="blink" aria-pressed={blink} onClick={toggleBlink} title="Blink observed / model (b)">
        {blink ? 'stop blink' : 'blink'}
      </button>
      <button type="button" data-testid="reset-view" onClick={resetView} title="Fit the quadrant to the panels (r)">
        reset view
      </button>
      <button
        type="button"
        data-testid="share"
        title="Copy a link that reopens this view"
        onClick={async () => {
          const link = shareLink();
          try {
            await navigator.clipboard.writeText(link);
            setCopied('link copied');
          } catch {
            setCopied(link);
          }
        }}
      >
        share link
      </button>
      {copied && (
        <span className="muted" data-testid="share-status">
          {copied}
        </span>
      )}
      <span className="muted keys">keys: n/p next/previous source · b blink · r reset · wheel zoom · drag pan</span>
    </div>
  );
}
