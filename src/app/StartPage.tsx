import { useState } from 'react';
import { useWorkbench } from '../state/store';
import { GpuStatus } from './GpuStatus';

/** What the user sees with no sub-tile open: how to open one. */
export function StartPage() {
  const openManifest = useWorkbench((s) => s.openManifest);
  const [url, setUrl] = useState('');
  return (
    <main className="start">
      <h1>Shear Workbench</h1>
      <p>Weak-lensing shear inference on a Euclid VIS sub-tile, in your browser (WebGPU).</p>
      <GpuStatus />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (url.trim()) {
            openManifest(url.trim());
            history.pushState(null, '', `?manifest=${encodeURIComponent(url.trim())}`);
          }
        }}
      >
        <label>
          Manifest URL{' '}
          <input
            name="manifest"
            value={url}
            placeholder="https://…/manifest.yaml, s3://bucket/…/manifest.yaml or a path relative to this page"
            onChange={(e) => setUrl(e.target.value)}
            size={80}
          />
        </label>{' '}
        <button type="submit">Open</button>
      </form>
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
