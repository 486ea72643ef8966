// DuckDB-WASM for the explorer, loaded only when the explorer opens (this module is reached by a
// dynamic import). The wasm and worker files are bundled by Vite and served by the app: nothing is
// fetched from a CDN. Queries run in DuckDB's own worker; the page only formats the results.
import * as duckdb from '@duckdb/duckdb-wasm';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { createTableSql } from './catalogue-table';
import { toResult, type QueryResult } from './results';

const BUNDLES: duckdb.DuckDBBundles = {
  mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
  eh: { mainModule: ehWasm, mainWorker: ehWorker },
};

export interface CatalogueDb {
  /** Replace the `catalogue` table with these CSV rows (see catalogue-table.ts). */
  loadCatalogue(csv: string): Promise<number>;
  query(sql: string, maxRows: number): Promise<QueryResult>;
  close(): Promise<void>;
}

/** The worker URL made absolute: the worker script resolves the wasm against its own location. */
const absolute = (u: string) => new URL(u, location.href).href;

export async function openCatalogueDb(): Promise<CatalogueDb> {
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: absolute(BUNDLES.mvp.mainModule), mainWorker: absolute(BUNDLES.mvp.mainWorker!) },
    eh: { mainModule: absolute(BUNDLES.eh!.mainModule), mainWorker: absolute(BUNDLES.eh!.mainWorker!) },
  });
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  try {
    await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  } catch (e) {
    worker.terminate();
    throw e;
  }
  const conn = await db.connect();
  // Everything the explorer needs is in DuckDB's core: never reach out for extensions.
  for (const s of ['SET autoinstall_known_extensions = false', 'SET autoload_known_extensions = false']) {
    try {
      await conn.query(s);
    } catch {
      // Older builds do not know the setting; they have no autoloading either.
    }
  }
  let generation = 0;
  return {
    async loadCatalogue(csv) {
      const file = `catalogue-${++generation}.csv`;
      await db.registerFileText(file, csv);
      try {
        await conn.query(createTableSql(file));
      } finally {
        await db.dropFile(file);
      }
      const n = await conn.query('SELECT count(*) AS n FROM catalogue');
      return Number(n.getChildAt(0)?.get(0) ?? 0);
    },
    async query(sql, maxRows) {
      return toResult(await conn.query(sql), maxRows);
    },
    async close() {
      await conn.close();
      await db.terminate();
    },
  };
}
