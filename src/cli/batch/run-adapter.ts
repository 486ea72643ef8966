// The one place that knows how `shearwb run` (src/cli/cmd-run.ts) is called: turns runSubtile
// into a SubtileRunner. Session reuse: when cmd-run exports
//   openRunSession(opts?: { verbose?: boolean }): Promise<{ close(): Promise<void> }>
// and runSubtile takes it as a third argument, ONE headless Chromium + served app serves the whole
// task; until then each sub-tile opens its own (correct, only slower: a few seconds a sub-tile).
import * as run from '../cmd-run';
import { PermanentError, type RunnerFactory, type RunOptions, type RunOutcome, type SubtileRunner } from './runner';

interface RunSessionLike {
  close(): Promise<void>;
}
type RunSubtile = (manifest: string, opts: run.RunOptions, session?: RunSessionLike) => Promise<run.RunOutcome>;
type OpenRunSession = (opts?: { verbose?: boolean }) => Promise<RunSessionLike>;

export const OPTIMIZERS = ['lbfgs', 'adam'] as const;

function toRunOptions(outdir: string, o: RunOptions, log?: (line: string) => void): run.RunOptions {
  if (o.optimizer !== undefined && !(OPTIMIZERS as readonly string[]).includes(o.optimizer))
    throw new PermanentError(`--optimizer must be one of ${OPTIMIZERS.join(', ')}, not '${o.optimizer}'`);
  return {
    out: outdir,
    ...(o.steps !== undefined ? { steps: o.steps } : {}),
    ...(o.optimizer !== undefined ? { optimizer: o.optimizer as run.RunOptions['optimizer'] } : {}),
    ...(o.verbose ? { verbose: true } : {}),
    ...(log ? { log } : {}),
  };
}

function toOutcome(r: run.RunOutcome): RunOutcome {
  const f = r.result;
  return {
    tileId: f.tileId,
    row: f.subTileRow,
    col: f.subTileCol,
    files: r.files,
    info: { g1: f.g1, g2: f.g2, g1Err: f.g1Err, g2Err: f.g2Err, steps: f.map.steps, converged: f.map.converged, seconds: r.timingsS.total ?? 0 },
  };
}

/** Errors of the run's own option checks ("run: --steps must be …") cannot be fixed by retrying. */
function classify(e: unknown): unknown {
  const m = (e as Error)?.message ?? '';
  return /^run: --/.test(m) ? new PermanentError(m) : e;
}

/** The real runner. The session, if any, is reopened after a failed attempt (it may be broken). */
export function headlessRunnerFactory(opts: { verbose?: boolean; log?: (line: string) => void } = {}): RunnerFactory {
  const runSubtile = run.runSubtile as RunSubtile;
  const openRunSession = (run as unknown as { openRunSession?: OpenRunSession }).openRunSession;
  return async (): Promise<SubtileRunner> => {
    const open = async () => (openRunSession ? openRunSession({ verbose: opts.verbose }) : undefined);
    if (!openRunSession) opts.log?.('note: cmd-run exports no openRunSession(): each sub-tile starts its own headless Chromium');
    let session = await open();
    return {
      run: async (manifest, outdir, runOpts) => {
        const o = toRunOptions(outdir, { ...runOpts, verbose: opts.verbose ?? runOpts.verbose }, opts.log);
        try {
          return toOutcome(await runSubtile(manifest, o, session));
        } catch (e) {
          throw classify(e);
        }
      },
      recover: async () => {
        // A crashed page or lost device can poison the next sub-tile: start afresh.
        if (!openRunSession) return;
        await session?.close().catch(() => undefined);
        session = undefined;
        session = await open();
      },
      close: async () => {
        await session?.close();
        session = undefined;
      },
    };
  };
}
