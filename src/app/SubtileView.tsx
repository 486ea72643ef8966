// An open sub-tile: loading (in a worker) with progress, errors in plain words, then the workbench:
// quadrants and sources on the left, linked panels in the middle, the fit and the selected source
// beside them, and the right-hand column kept for the sky view and the catalogue explorer.
import { useEffect } from 'react';
import type { PrepareProgress } from '../data/exposure-set';
import { rememberManifest } from '../state/recent';
import { useWorkbench, type FileProgress } from '../state/store';
import { explainError } from './errors';
import { ErrorView, LoadingView } from './LoadingView';
import { absoluteManifestUrl, loadSubtile } from './loader';
import { PanelGrid, useOverlayColour } from './panels/PanelGrid';
import { OVERLAY_HLR_SCALE } from './panels/overlay';
import { QuadrantSwitcher } from './QuadrantSwitcher';
import { Readout } from './Readout';
import { SourceList } from './SourceList';
import { Toolbar } from './Toolbar';
import { RunPanel } from './RunPanel';
import { SourceInspector } from './SourceInspector';
import { SkyView } from './sky/SkyView';
import { endEngineSession, startEngineSession } from './engine-client';
import type { WorkbenchData } from '../state/workbench-data';
import { CatalogueExplorer } from './catalogue/CatalogueExplorer';

function useLoad(manifest: string, files: Map<string, Blob> | undefined) {
  useEffect(() => {
    let live = true;
    const { setLoad, setData } = useWorkbench.getState();
    const progress = new Map<string, FileProgress>();
    let stage = 'manifest';
    let pending = false;
    // Progress arrives in bursts: publish at most once a frame.
    const publish = () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        if (live && useWorkbench.getState().load.status === 'loading') setLoad({ status: 'loading', stage, files: [...progress.values()] });
      });
    };
    const onProgress = (p: PrepareProgress) => {
      stage = p.stage;
      if (p.file) {
        const old = progress.get(p.file);
        progress.set(p.file, { file: p.file, loaded: p.loaded ?? old?.loaded ?? 0, total: p.total ?? old?.total ?? 0 });
      }
      publish();
    };
    setLoad({ status: 'loading', stage, files: [] });
    const url = absoluteManifestUrl(manifest, files);
    loadSubtile(manifest, { files, onProgress }).then(
      ({ data, set }) => {
        if (!live) return;
        setData(data);
        if (!files) rememberManifest(manifest);
        // The engine starts at once (pipelines compile while the user looks at the data); saved
        // results in the link are shown by one forward render, never by a fit.
        const session = startEngineSession(set);
        const results = useWorkbench.getState().results;
        if (results) void session.loadResults(results);
      },
      (e) => {
        if (live) setLoad({ status: 'error', error: explainError(e, url) });
      },
    );
    return () => {
      live = false;
      endEngineSession();
    };
  }, [manifest, files]);
}

export function SubtileView({ manifestUrl }: { manifestUrl: string }) {
  const files = useWorkbench((s) => s.droppedFiles);
  const load = useWorkbench((s) => s.load);
  const data = useWorkbench((s) => s.data);
  useLoad(manifestUrl, files);
  const back = () => {
    useWorkbench.getState().closeManifest();
    history.pushState(null, '', location.pathname);
  };
  return (
    <div className="workbench">
      <header>
        <h1>Shear Workbench</h1>
        <span className="muted" data-testid="subtile-title">
          {data?.title ?? ''}
        </span>
        <code data-testid="manifest-url" className="manifest-url">
          {manifestUrl}
        </code>
        <button type="button" onClick={back}>
          open another
        </button>
      </header>
      {load.status === 'loading' && <LoadingView stage={load.stage} files={load.files} />}
      {load.status === 'error' && <ErrorView error={load.error} onBack={back} />}
      {load.status === 'ready' && data && <Workbench data={data} />}
    </div>
  );
}

function Workbench({ data }: { data: WorkbenchData }) {
  const problems = useWorkbench((s) => s.linkProblems);
  const q = useWorkbench((s) => s.quadrant);
  const overlay = useOverlayColour(data.sources.filter((s) => s.perQuadrant[q]?.visible));
  return (
    <div className="columns">
      <aside className="left">
        <QuadrantSwitcher data={data} />
        <SourceList data={data} />
      </aside>
      <main className="centre">
        {[...problems, ...data.warnings].length > 0 && (
          <details className="warnings" data-testid="warnings">
            <summary>{problems.length + data.warnings.length} warnings</summary>
            <ul>
              {[...problems, ...data.warnings].map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          </details>
        )}
        <Toolbar />
        <PanelGrid data={data} />
        <Readout data={data} />
        <p className="muted legend-line">
          Ellipses: {OVERLAY_HLR_SCALE}× half-light radius (fitted shape and shear once the engine has them, catalogue before), coloured by {overlay.by} ({overlay.lo.toPrecision(3)} dark → {overlay.hi.toPrecision(3)} yellow, log scale); selected in pink.
        </p>
      </main>
      <aside className="tools" data-testid="tools-column">
        <RunPanel />
        <SourceInspector data={data} />
      </aside>
      {/* Reserved for the sky view (Aladin Lite) and the catalogue explorer (DuckDB-WASM), linked to the same selection. */}
      <aside className="right">
        <SkyView data={data} />
        <CatalogueExplorer data={data} />
      </aside>
    </div>
  );
}
