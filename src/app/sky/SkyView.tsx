// The sky view slot: Aladin Lite (loaded on first show) with the sub-tile's bounds, quadrant
// footprints and sources, linked to the store's quadrant and source selection both ways.
import { useEffect, useRef, useState } from 'react';
import { useRun } from '../../state/run';
import { useWorkbench } from '../../state/store';
import type { WorkbenchData } from '../../state/workbench-data';
import type { SkyController, SkyHook } from './aladin-sky';

type Status = { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };

function publishHook(hook: SkyHook | undefined) {
  const w = window as unknown as { __shearwb?: Record<string, unknown> };
  if (w.__shearwb) w.__shearwb.sky = hook;
}

export function SkyView({ data }: { data: WorkbenchData }) {
  const div = useRef<HTMLDivElement>(null);
  const ctl = useRef<SkyController | null>(null);
  const [status, setStatus] = useState<Status>({ kind: 'loading' });
  const [survey, setSurvey] = useState('');
  const [surveyDraft, setSurveyDraft] = useState('');
  const quadrant = useWorkbench((s) => s.quadrant);
  const source = useWorkbench((s) => s.source);
  const fits = useWorkbench((s) => s.fits);
  const excluded = useRun((s) => s.excluded);

  useEffect(() => {
    const el = div.current;
    if (!el) return;
    let live = true;
    setStatus({ kind: 'loading' });
    const handlers = {
      selectSource: (id: number) => useWorkbench.getState().selectSource(id),
      setQuadrant: (q: number) => useWorkbench.getState().setQuadrant(q),
    };
    import('./aladin-sky')
      .then(({ createSky }) => createSky(el, data, handlers, survey || undefined))
      .then(
        (c) => {
          if (!live) return c.destroy();
          ctl.current = c;
          const s = useWorkbench.getState();
          c.update({ quadrant: s.quadrant, source: s.source, fits: s.fits, excluded: useRun.getState().excluded });
          const src = data.sources.find((x) => x.object_id === s.source);
          if (src) c.goto(src.ra, src.dec);
          publishHook(c.hook);
          setStatus({ kind: 'ready' });
        },
        (e: unknown) => live && setStatus({ kind: 'error', message: `sky view (Aladin Lite) failed to start: ${e instanceof Error ? e.message : String(e)}` }),
      );
    return () => {
      live = false;
      ctl.current?.destroy();
      ctl.current = null;
      publishHook(undefined);
    };
  }, [data, survey]);

  useEffect(() => {
    ctl.current?.update({ quadrant, source, fits, excluded });
  }, [status, quadrant, source, fits, excluded]);

  // A source selected anywhere (list, panels, keys, here) is brought to the centre.
  useEffect(() => {
    const src = data.sources.find((x) => x.object_id === source);
    if (src && status.kind === 'ready') ctl.current?.goto(src.ra, src.dec);
  }, [source, status, data]);

  return (
    <section data-testid="sky-view-slot" data-sky-status={status.kind} style={{ display: 'flex', flexDirection: 'column', flex: 1, minHeight: '12rem', marginBottom: '0.4rem' }}>
      <h2>Sky view</h2>
      <div ref={div} data-testid="sky-view" style={{ position: 'relative', flex: 1, minHeight: '10rem' }} />
      {status.kind === 'error' && <p className="muted">{status.message}</p>}
      <p className="muted" style={{ fontSize: '0.7rem', margin: '0.2rem 0' }} data-testid="sky-survey-note">
        {survey ? `survey: ${survey} (fetched from its server)` : 'no sky survey offline'} · core green, quadrants blue (selected pink)
      </p>
      <form
        style={{ display: 'flex', gap: '0.2rem', fontSize: '0.7rem' }}
        onSubmit={(e) => {
          e.preventDefault();
          setSurvey(surveyDraft.trim());
        }}
      >
        <input
          aria-label="HiPS survey URL (online only)"
          placeholder="HiPS survey URL (online)"
          value={surveyDraft}
          onChange={(e) => setSurveyDraft(e.target.value)}
          style={{ flex: 1, minWidth: 0, fontSize: '0.7rem' }}
        />
        <button type="submit">{surveyDraft.trim() ? 'use' : 'none'}</button>
      </form>
    </section>
  );
}
