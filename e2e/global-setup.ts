// Builds the app once and serves it (plus the shared fixtures) for the end-to-end tests.
import type { TestProject } from 'vitest/node';
import { resolve } from 'node:path';
import { ensureAppBuilt, REPO_ROOT } from '../src/cli/app-build';
import { startStaticServer } from '../src/cli/static-server';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dist = await ensureAppBuilt({ quiet: true });
  const srv = await startStaticServer([
    { prefix: '/', dir: dist },
    { prefix: '/fixtures/', dir: resolve(REPO_ROOT, '..', 'shared', 'fixtures') },
  ]);
  project.provide('baseUrl', srv.url);
  return async () => srv.close();
}
