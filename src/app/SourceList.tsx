// Selected sources, sortable (SNR now, χ² once the engine provides it); a click selects.
import { useEffect, useMemo, useRef } from 'react';
import { sortedSources, useWorkbench, type SortKey } from '../state/store';
import type { WorkbenchData } from '../state/workbench-data';

export function SourceList({ data }: { data: WorkbenchData }) {
  const sortBy = useWorkbench((s) => s.sortBy);
  const fits = useWorkbench((s) => s.fits);
  const selected = useWorkbench((s) => s.source);
  const q = useWorkbench((s) => s.quadrant);
  const { setSortBy, selectSource } = useWorkbench.getState();
  const list = useMemo(() => sortedSources(data.sources, sortBy, fits), [data, sortBy, fits]);
  const selRef = useRef<HTMLTableRowElement>(null);
  // Braces: recent Chromium's scrollIntoView returns a Promise, which React would take for a clean-up.
  useEffect(() => {
    void selRef.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  const head = (k: SortKey, label: string) => (
    <th>
      <button type="button" className={sortBy === k ? 'sort current' : 'sort'} data-testid={`sort-${k}`} onClick={() => setSortBy(k)}>
        {label}
        {sortBy === k ? (k === 'object_id' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  return (
    <section className="sources" data-testid="source-list">
      <h2>
        Sources <span className="muted">({data.sources.length} selected{data.droppedCount ? `, ${data.droppedCount} rows dropped` : ''})</span>
      </h2>
      <div className="source-scroll">
        <table>
          <thead>
            <tr>
              {head('object_id', 'object_id')}
              {head('snr', 'SNR')}
              {head('chi2', 'χ²')}
              <th>kind</th>
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr
                key={s.object_id}
                ref={s.object_id === selected ? selRef : undefined}
                data-testid="source-row"
                data-id={s.object_id}
                className={(s.object_id === selected ? 'selected ' : '') + (s.perQuadrant[q]?.visible ? '' : 'elsewhere')}
                onClick={() => selectSource(s.object_id)}
              >
                <td>{s.object_id}</td>
                <td>{s.snr.toFixed(1)}</td>
                <td>{fits[s.object_id]?.chi2?.toFixed(1) ?? '—'}</td>
                <td>
                  {s.kind}
                  {s.core ? '' : ' (margin)'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
