// While a sub-tile is prepared: the stage, and a bar per file (bytes read of bytes needed).
import type { FileProgress, UiError } from '../state/store';

const STAGES: Record<string, string> = {
  manifest: 'Reading the manifest',
  headers: 'Reading exposure headers (WCS, zero points)',
  psf: 'Reading PSF grids',
  pixels: 'Reading pixels (SCI, RMS, FLG, background)',
  catalogue: 'Reading and selecting the catalogue',
  geometry: 'Computing positions, Jacobians, stamps and PSFs per source and quadrant',
  done: 'Finishing',
};

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function LoadingView({ stage, files }: { stage: string; files: FileProgress[] }) {
  return (
    <section className="loading" data-testid="loading" aria-busy="true">
      <h2 data-testid="loading-stage">{STAGES[stage] ?? stage}…</h2>
      <ul className="files">
        {files.map((f) => (
          <li key={f.file} data-testid="file-progress">
            <code>{f.file}</code>
            {f.total > 0 ? (
              <>
                <progress max={f.total} value={f.loaded} />
                <span className="muted">
                  {bytes(f.loaded)} of {bytes(f.total)}
                </span>
              </>
            ) : (
              <span className="muted"> headers…</span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ErrorView({ error, onBack }: { error: UiError; onBack(): void }) {
  return (
    <section className="load-error" data-testid="load-error" role="alert">
      <h2 className="error" data-testid="error-title">
        {error.title}
      </h2>
      {error.file && (
        <p>
          File: <code data-testid="error-file">{error.file}</code>
        </p>
      )}
      <pre className="error-detail" data-testid="error-detail">
        {error.detail}
      </pre>
      <p data-testid="error-fix">
        <strong>What to do:</strong> {error.fix}
      </p>
      <button type="button" onClick={onBack}>
        open another sub-tile
      </button>
    </section>
  );
}
