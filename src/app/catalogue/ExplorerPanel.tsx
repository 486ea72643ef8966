// The explorer itself (lazy chunk): DuckDB starts, the sub-tile's catalogue becomes the table
// `catalogue`, and SQL typed here runs in DuckDB's worker. Rows with an object_id select that
// source in the workbench; the selected source's row is highlighted.
import { useEffect, useRef, useState } from 'react';
import { sourceParams, useRun } from '../../state/run';
import { useWorkbench } from '../../state/store';
import type { WorkbenchData } from '../../state/workbench-data';
import { catalogueRecords, DEFAULT_QUERY, recordsToCsv, type FittedParams } from './catalogue-table';
import { openCatalogueDb, type CatalogueDb } from './duckdb-session';
import { readCatalogueRows, type CatalogueRead } from './read-rows';
import { explainSqlError, formatCell, objectIdColumn, type QueryResult } from './results';

/** Rows shown at most (the count says how many the query returned). */
const MAX_ROWS = 1000;

type Status = { kind: 'starting' } | { kind: 'ready'; rows: number } | { kind: 'failed'; message: string };

/** What the table was built from: rebuilt before a query when any of these changed. */
interface Snapshot {
  data: WorkbenchData;
  fits: unknown;
  params: unknown;
}

function fittedFromRun(): FittedParams | undefined {
  const r = useRun.getState();
  if (!r.index || !r.params) return undefined;
  const { index, params } = r;
  return (id) => {
    const ps = sourceParams(index, params, null, id);
    return ps ? Object.fromEntries(ps.map((p) => [p.name, p.value])) : null;
  };
}

export default function ExplorerPanel({ data }: { data: WorkbenchData }) {
  const selected = useWorkbench((s) => s.source);
  const [status, setStatus] = useState<Status>({ kind: 'starting' });
  const [sql, setSql] = useState(DEFAULT_QUERY);
  const [result, setResult] = useState<QueryResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const db = useRef<CatalogueDb | null>(null);
  const cat = useRef<CatalogueRead | null>(null);
  const built = useRef<Snapshot | null>(null);

  /** (Re)build `catalogue` when the data, the fits or the fitted parameters changed since. */
  const refreshTable = async () => {
    const s = useWorkbench.getState();
    const r = useRun.getState();
    const b = built.current;
    if (b && b.data === data && b.fits === s.fits && b.params === r.params) return;
    const records = catalogueRecords({
      rows: cat.current!.rows,
      dropReasons: cat.current!.dropReasons,
      coreIds: cat.current!.coreIds,
      sources: data.sources,
      fits: s.fits,
      fitted: fittedFromRun(),
    });
    const n = await db.current!.loadCatalogue(recordsToCsv(records));
    built.current = { data, fits: s.fits, params: r.params };
    setStatus({ kind: 'ready', rows: n });
  };

  const run = async (text: string) => {
    if (!db.current || !cat.current) return;
    setRunning(true);
    try {
      await refreshTable();
      setResult(await db.current.query(text, MAX_ROWS));
      setError(null);
    } catch (e) {
      // Without a table nothing can run: say so where the status is, not as a query error.
      if (!built.current) setStatus({ kind: 'failed', message: `The catalogue table could not be built: ${e instanceof Error ? e.message : String(e)}` });
      else setError(explainSqlError(e));
    } finally {
      setRunning(false);
    }
  };

  useEffect(() => {
    let live = true;
    const s = useWorkbench.getState();
    Promise.all([openCatalogueDb(), readCatalogueRows(data.manifestUrl, s.droppedFiles)]).then(
      async ([d, c]) => {
        if (!live) return void d.close();
        db.current = d;
        cat.current = c;
        built.current = null;
        await run(DEFAULT_QUERY);
      },
      (e) => {
        if (live) setStatus({ kind: 'failed', message: `The catalogue explorer could not start: ${e instanceof Error ? e.message : String(e)}` });
      },
    );
    return () => {
      live = false;
      void db.current?.close();
      db.current = null;
    };
    // The explorer restarts only for another sub-tile.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data]);

  const idCol = result ? objectIdColumn(result.columns) : -1;
  const known = new Set(data.sources.map((x) => x.object_id));
  return (
    <div className="catalogue-body" style={{ display: 'flex', flexDirection: 'column', minHeight: 0, flex: 1 }}>
      <p className="muted" data-testid="catalogue-status" data-status={status.kind} data-rows={status.kind === 'ready' ? status.rows : ''}>
        {status.kind === 'starting' && 'starting DuckDB and reading the catalogue…'}
        {status.kind === 'ready' && `table catalogue: ${status.rows} rows`}
      </p>
      {status.kind === 'failed' && (
        <p className="catalogue-error" data-testid="catalogue-error">
          {status.message}
        </p>
      )}
      <textarea
        className="catalogue-sql"
        data-testid="catalogue-sql"
        spellCheck={false}
        value={sql}
        onChange={(e) => setSql(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void run(sql);
          }
        }}
      />
      <div className="catalogue-actions">
        <button type="button" data-testid="catalogue-run" disabled={status.kind !== 'ready' || running} onClick={() => void run(sql)}>
          run
        </button>
        <span className="muted">Ctrl+Enter</span>
        {result && !error && (
          <span className="muted" data-testid="catalogue-count" data-total={result.total}>
            {result.total} row{result.total === 1 ? '' : 's'}
            {result.total > result.rows.length ? ` (first ${result.rows.length} shown)` : ''}
          </span>
        )}
      </div>
      {error && (
        <p className="catalogue-error" data-testid="catalogue-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="catalogue-results">
          <table data-testid="catalogue-results" data-running={running ? 'yes' : 'no'}>
            <thead>
              <tr>
                {result.columns.map((c, j) => (
                  <th key={j}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row, i) => {
                const id = idCol >= 0 && typeof row[idCol] === 'number' ? (row[idCol] as number) : null;
                const clickable = id !== null && known.has(id);
                return (
                  <tr
                    key={i}
                    data-object-id={id ?? undefined}
                    data-picked={id !== null && id === selected ? 'yes' : undefined}
                    className={`${clickable ? 'clickable' : ''} ${id !== null && id === selected ? 'picked' : ''}`}
                    title={id !== null && !clickable ? 'not a modelled source (dropped by the selection)' : undefined}
                    onClick={clickable ? () => useWorkbench.getState().selectSource(id) : undefined}
                  >
                    {row.map((v, j) => (
                      <td key={j}>{formatCell(v)}</td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
