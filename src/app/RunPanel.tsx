// Run controls: steps, optimiser and its rate, free parameter groups, start / pause / resume / stop;
// the live loss and gradient-norm curves; g1, g2 (with Laplace errors once the fit ends); saving results.
import { useState } from 'react';
import { PARAM_GROUPS, useRun, type OptimizerChoice } from '../state/run';
import { shareQuery, useWorkbench } from '../state/store';
import { engineSession } from './engine-client';
import { logLoss, polylinePoints } from './run/chart-math';

const W = 240;
const H = 56;

function Curve({ testId, label, xs, ys, colour, note }: { testId: string; label: string; xs: number[]; ys: number[]; colour: string; note?: string }) {
  const { points, lo, hi } = polylinePoints({ xs, ys }, W, H, { log: true });
  return (
    <figure className="curve" data-testid={testId} data-points={xs.length}>
      <figcaption>
        {label} <span className="muted">(log){note ? ` ${note}` : ''}</span>
        {Number.isFinite(lo) && (
          <span className="muted">
            {' '}
            {lo.toPrecision(3)} … {hi.toPrecision(3)}
          </span>
        )}
      </figcaption>
      <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`}>
        <rect x={0} y={0} width={W} height={H} fill="#0d0e10" />
        {points && <polyline points={points} fill="none" stroke={colour} strokeWidth={1.5} />}
      </svg>
    </figure>
  );
}

function fmtErr(v: number, e: number | null): string {
  return e !== null && Number.isFinite(e) ? `${v.toFixed(5)} ± ${e.toFixed(5)}` : v.toFixed(5);
}

function download(bytes: Uint8Array, name: string) {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function SaveResults() {
  const manifest = useWorkbench((s) => s.manifest);
  const dropped = useWorkbench((s) => s.droppedFiles);
  const [saved, setSaved] = useState<{ name: string; link: string | null } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const save = async (fmt: 'fits' | 'parquet') => {
    try {
      const r = await engineSession()!.exportResults();
      const name = r.names[fmt];
      download(fmt === 'fits' ? r.fits : r.parquet, name);
      // A link can refer to the file once it sits next to the manifest (the page cannot write there).
      let link: string | null = null;
      if (manifest && !dropped) {
        const results = new URL(name, new URL(manifest, location.href)).href;
        link = location.origin + location.pathname + shareQuery({ ...useWorkbench.getState(), results });
      }
      setSaved({ name, link });
      setErr(null);
    } catch (e) {
      setErr((e as Error).message);
    }
  };
  return (
    <div className="save-results" data-testid="save-results">
      <span>save results:</span>
      <button type="button" data-testid="save-fits" onClick={() => void save('fits')}>
        FITS
      </button>
      <button type="button" data-testid="save-parquet" onClick={() => void save('parquet')}>
        Parquet
      </button>
      {saved && (
        <p className="muted" data-testid="saved-note">
          Downloaded <code>{saved.name}</code>.
          {saved.link ? (
            <>
              {' '}
              Put it next to the manifest; then this link opens these results:{' '}
              <a href={saved.link} data-testid="results-link">
                link with results
              </a>
            </>
          ) : (
            ' (The sub-tile was opened from local files: a link cannot refer to them.)'
          )}
        </p>
      )}
      {err && <p className="error">{err}</p>}
    </div>
  );
}

export function RunPanel() {
  const engine = useRun((s) => s.engine);
  const settings = useRun((s) => s.settings);
  const phase = useRun((s) => s.phase);
  const message = useRun((s) => s.message);
  const scope = useRun((s) => s.scope);
  const history = useRun((s) => s.history);
  const params = useRun((s) => s.params);
  const origin = useRun((s) => s.origin);
  const g1Err = useRun((s) => s.g1Err);
  const g2Err = useRun((s) => s.g2Err);
  const { setSettings, setFree } = useRun.getState();
  const busy = phase === 'running' || phase === 'paused' || phase === 'stopping' || phase === 'uncertainty';
  const ready = engine.kind === 'ready';
  const session = engineSession();

  const steps = history.map((h) => h.step);
  const loss = logLoss(history.map((h) => h.loss));

  return (
    <section className="run-panel" data-testid="run-panel" data-phase={phase}>
      <h2>Fit</h2>
      {engine.kind === 'starting' && <p className="muted" data-testid="engine-status">Starting the engine (WebGPU, in a worker)…</p>}
      {engine.kind === 'ready' && (
        <p className="muted" data-testid="engine-status">
          Engine: {engine.adapter}
          {engine.isSoftware ? ' (software renderer: fits are slow)' : ''}
        </p>
      )}
      {engine.kind === 'unavailable' && (
        <div className="error engine-unavailable" data-testid="engine-unavailable">
          <p>The fit cannot run in this browser; the observed data stays viewable.</p>
          <p>{engine.message}</p>
        </div>
      )}
      <div className="run-settings">
        <label>
          steps{' '}
          <input data-testid="run-steps" type="number" min={1} max={5000} value={settings.steps} disabled={busy} onChange={(e) => setSettings({ steps: Math.max(1, Math.round(Number(e.target.value) || 1)) })} />
        </label>
        <label>
          optimiser{' '}
          <select data-testid="run-optimizer" value={settings.optimizer} disabled={busy} onChange={(e) => setSettings({ optimizer: e.target.value as OptimizerChoice })}>
            <option value="lbfgs">L-BFGS</option>
            <option value="adam">Adam</option>
          </select>
        </label>
        {settings.optimizer === 'adam' ? (
          <label>
            rate{' '}
            <input data-testid="run-lr" type="number" step="0.001" min={0} value={settings.lr} disabled={busy} onChange={(e) => setSettings({ lr: Number(e.target.value) || settings.lr })} />
          </label>
        ) : (
          <span className="muted" title="L-BFGS chooses its step by a line search">
            rate: line search
          </span>
        )}
        <label title="Model image and per-source χ² every k steps">
          every{' '}
          <input data-testid="run-every" type="number" min={1} value={settings.every} disabled={busy} onChange={(e) => setSettings({ every: Math.max(1, Math.round(Number(e.target.value) || 1)) })} />
        </label>
      </div>
      <div className="run-free" data-testid="run-free">
        free:
        {PARAM_GROUPS.map((g) => (
          <label key={g}>
            <input type="checkbox" data-testid={`free-${g}`} checked={settings.free[g]} disabled={busy} onChange={(e) => setFree(g, e.target.checked)} /> {g}
          </label>
        ))}
      </div>
      <div className="run-buttons">
        <button type="button" data-testid="run-start" disabled={!ready || busy} onClick={() => void session?.fit()}>
          {origin === 'catalogue' ? 'start' : 'continue'}
        </button>
        <button type="button" data-testid="run-restart" disabled={!ready || busy} onClick={() => void session?.fit({ fromCatalogue: true })} title="Start again from the catalogue values">
          restart
        </button>
        <button type="button" data-testid="run-pause" disabled={phase !== 'running'} onClick={() => session?.pause()}>
          pause
        </button>
        <button type="button" data-testid="run-resume" disabled={phase !== 'paused'} onClick={() => session?.resume()}>
          resume
        </button>
        <button type="button" data-testid="run-stop" disabled={!(phase === 'running' || phase === 'paused')} onClick={() => session?.stop()}>
          stop
        </button>
      </div>
      <p className="run-status" data-testid="run-status">
        {phase}
        {scope ? ` · ${scope}` : ''}
        {history.length ? ` · step ${history.at(-1)!.step}` : ''}
        {message ? ` · ${message}` : ''}
      </p>
      <Curve testId="loss-curve" label="loss" xs={steps} ys={loss.values} colour="#ffd54f" note={loss.shifted ? '− min + 1' : undefined} />
      <Curve testId="gradnorm-curve" label="gradient norm" xs={steps} ys={history.map((h) => h.gradNorm)} colour="#4fc3f7" />
      {params && (
        <p className="shear" data-testid="shear">
          g1 = <span data-testid="g1">{fmtErr(params[0], g1Err)}</span>
          <br />
          g2 = <span data-testid="g2">{fmtErr(params[1], g2Err)}</span>
          <br />
          <span className="muted">
            {origin === 'results' ? 'from the results file' : origin === 'fit' ? (g1Err !== null ? 'MAP with Laplace errors' : 'current point (errors after the fit)') : 'start point (catalogue)'}
          </span>
        </p>
      )}
      {ready && params && <SaveResults />}
    </section>
  );
}
