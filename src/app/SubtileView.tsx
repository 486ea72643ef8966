import { useQuery } from '@tanstack/react-query';

/** The sub-tile named by ?manifest=: loading, errors in plain words, then its summary. */
export function SubtileView({ manifestUrl }: { manifestUrl: string }) {
  const abs = new URL(manifestUrl, location.href).href;
  const q = useQuery({
    queryKey: ['manifest-text', abs],
    queryFn: async () => {
      const res = await fetch(abs);
      if (!res.ok) throw new Error(`${abs}: HTTP ${res.status} ${res.statusText}`);
      return res.text();
    },
  });
  return (
    <main className="start">
      <h1>Shear Workbench</h1>
      <p>
        Manifest: <code data-testid="manifest-url">{abs}</code>
      </p>
      {q.isPending && <p>Loading manifest…</p>}
      {q.isError && (
        <p className="error" data-testid="load-error">
          {(q.error as Error).message}
        </p>
      )}
      {q.isSuccess && <pre data-testid="manifest-text">{q.data.slice(0, 4000)}</pre>}
    </main>
  );
}
