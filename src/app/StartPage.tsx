// What the user sees with no sub-tile open: a URL box, recent manifests, and a drop zone.
import { useState } from 'react';
import { recentManifests } from '../state/recent';
import { useWorkbench } from '../state/store';
import { filesFromDrop, filesFromInput, pickManifest } from './dropped-files';
import { GpuStatus } from './GpuStatus';

export function openFromUrl(url: string) {
  useWorkbench.getState().openManifest(url);
  history.pushState(null, '', `?manifest=${encodeURIComponent(url)}`);
}

export function openDropped(files: Map<string, File>): string | null {
  const m = pickManifest(files);
  if (!m) return `No manifest (.yaml) among the ${files.size} dropped files: drop the sub-tile folder that holds manifest_local.yaml.`;
  useWorkbench.getState().openManifest(m, files);
  history.pushState(null, '', location.pathname);
  return null;
}

export function StartPage() {
  const [url, setUrl] = useState('');
  const [dropMsg, setDropMsg] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const recent = recentManifests();
  const problems = useWorkbench((s) => s.linkProblems);
  return (
    <main
      className={over ? 'start drop-over' : 'start'}
      data-testid="start-page"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={async (e) => {
        e.preventDefault();
        setOver(false);
        setDropMsg(openDropped(await filesFromDrop(e.dataTransfer)));
      }}
    >
      <h1>Shear Workbench</h1>
      <p>Weak-lensing shear inference on a Euclid VIS sub-tile, in your browser (WebGPU).</p>
      <GpuStatus />
      {problems.length > 0 && (
        <ul className="error" data-testid="link-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) openFromUrl(url.trim());
        }}
      >
        <label>
          Manifest URL{' '}
          <input
            name="manifest"
            data-testid="manifest-input"
            value={url}
            placeholder="https://…/manifest.yaml, s3://bucket/…/manifest.yaml or a path relative to this page"
            onChange={(e) => setUrl(e.target.value)}
            size={80}
          />
        </label>{' '}
        <button type="submit">Open</button>
      </form>
      <div className="drop-zone" data-testid="drop-zone">
        Drop a sub-tile folder (manifest_local.yaml, exposures/, psf/, catalogue) anywhere on this page, or{' '}
        <label className="file-pick">
          choose the folder…
          <input
            type="file"
            data-testid="folder-input"
            // @ts-expect-error non-standard but universally supported folder picker
            webkitdirectory=""
            multiple
            onChange={(e) => e.target.files && setDropMsg(openDropped(filesFromInput(e.target.files)))}
          />
        </label>
        {dropMsg && <p className="error">{dropMsg}</p>}
      </div>
      {recent.length > 0 && (
        <>
          <h2>Recent</h2>
          <ul data-testid="recent">
            {recent.map((r) => (
              <li key={r}>
                <a
                  href={`?manifest=${encodeURIComponent(r)}`}
                  onClick={(e) => {
                    e.preventDefault();
                    openFromUrl(r);
                  }}
                >
                  {r}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>How to open a sub-tile</h2>
      <ul>
        <li>
          Add <code>?manifest=&lt;url&gt;</code> to this page's address, or paste the URL above. Relative paths in the
          manifest are resolved against its URL; <code>s3://</code> paths read public buckets over HTTPS.
        </li>
        <li>
          From a terminal: <code>npx shearwb serve --data &lt;folder&gt;</code> serves a local folder of sub-tiles next
          to the workbench; <code>npx shearwb simulate &lt;folder&gt;</code> makes one with known shear.
        </li>
      </ul>
    </main>
  );
}
