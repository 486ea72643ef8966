// The interface between a batch and whatever fits one sub-tile. The batch logic only needs this,
// so tests drive it with a fake runner and the CLI plugs in the headless-Chromium one (run-adapter.ts).

/** Options forwarded to every sub-tile run (the `run` command's fit options). */
export interface RunOptions {
  steps?: number;
  optimizer?: string;
  verbose?: boolean;
}

/** What a successful run reports back; the products themselves are on disk with their done-marker. */
export interface RunOutcome {
  tileId: number | bigint;
  row: number;
  col: number;
  /** Product file names written (no folder). */
  files: string[];
  /** Free-form figures worth a line in the summary (g1, g2, steps, convergence…). */
  info?: Record<string, string | number | boolean>;
}

/**
 * One open runner: a headless Chromium + served app in the real case, reused for every sub-tile of a
 * task. `run` must write the products with `writeProducts` (done-marker last) before resolving.
 */
export interface SubtileRunner {
  run(manifest: string, outdir: string, opts: RunOptions): Promise<RunOutcome>;
  /** Called after a failed attempt: drop state that may be broken (crashed page, lost device). */
  recover?(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a runner; the batch calls it lazily, so a rerun with nothing left to do starts no browser. */
export type RunnerFactory = () => Promise<SubtileRunner>;

/** An error that another attempt cannot fix (bad manifest, missing file): no retry. */
export class PermanentError extends Error {
  readonly permanent = true;
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

export function isPermanent(e: unknown): boolean {
  const x = e as { permanent?: unknown; name?: unknown } | null;
  return !!x && (x.permanent === true || x.name === 'ManifestError');
}
