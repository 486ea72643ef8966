import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

// Two pages: the workbench (index.html) and the headless page batches drive (headless.html).
// Everything — wasm, workers, assets — is served from the app itself: no CDN at run time.
export default defineConfig({
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        bench: resolve(import.meta.dirname, 'bench.html'),
        headless: resolve(import.meta.dirname, 'headless.html'),
      },
    },
  },
  server: { fs: { allow: ['..'] } },
});
