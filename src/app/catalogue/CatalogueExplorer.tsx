// The catalogue explorer's place in the workbench. DuckDB-WASM (megabytes of wasm) is loaded only
// when the user opens the explorer: the panel's code is a separate chunk reached by a dynamic import.
import { lazy, Suspense, useState } from 'react';
import type { WorkbenchData } from '../../state/workbench-data';
import './catalogue.css';

const ExplorerPanel = lazy(() => import('./ExplorerPanel'));

export function CatalogueExplorer({ data }: { data: WorkbenchData }) {
  const [open, setOpen] = useState(false);
  return (
    <section className="catalogue-explorer" data-testid="catalogue-slot" data-open={open ? 'yes' : 'no'}>
      <h2>
        Catalogue explorer{' '}
        <button type="button" className="catalogue-toggle" data-testid="catalogue-open" onClick={() => setOpen(!open)}>
          {open ? 'close' : 'open'}
        </button>
      </h2>
      {open && (
        <Suspense fallback={<p className="muted" data-testid="catalogue-status">loading DuckDB…</p>}>
          <ExplorerPanel data={data} />
        </Suspense>
      )}
    </section>
  );
}
