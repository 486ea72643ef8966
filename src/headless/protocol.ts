// The job protocol between the command line (Node, Playwright) and the headless page
// (headless.html → src/headless/main.ts). Everything here crosses page.evaluate as JSON:
// plain data only. Big arrays stay in the page and are pulled by handle in base64 chunks
// (`read`), so a full quadrant (2048×2066×4 B = 17 MB) never travels as one message.
import type { SelectionConfig } from '../data/catalogue';
import type { StorageOptions } from '../data/storage/index';
import type { MissingPolicy } from '../engine/render-params';

export const PROTOCOL_VERSION = 1;

/** Storage options that survive JSON (no fetch function, no dropped Blobs). */
export type JobStorage = Omit<StorageOptions, 'fetch' | 'files'>;

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isSoftware: boolean;
}

/** Fields every job shares: where the sub-tile is and how to prepare it. */
export interface JobBase {
  /** http(s):// or s3:// URL of the manifest (the CLI serves local sub-tiles on loopback). */
  manifestUrl: string;
  storage?: JobStorage;
  selection?: SelectionConfig;
  /** FLG bits that mask a pixel (default 0x1). */
  maskBits?: number;
  /** Prepare the exposure set in a Web Worker (default true) or on the page's thread. */
  inWorker?: boolean;
}

export interface RenderJob extends JobBase {
  kind: 'render';
  /** The parameter table (FITS or Parquet): its URL (http(s)/s3), or its bytes as base64. */
  params: { url: string } | { base64: string; name: string };
  /** Scene sources without a row: error (default) or flux 0. */
  missing?: MissingPolicy;
}

/** A Float32Array kept in the page until released; pull it with `read`. */
export interface ArrayHandle {
  id: string;
  dtype: 'float32';
  length: number;
  byteLength: number;
}

export type HeaderCardJson = [key: string, value: string | number | boolean, comment?: string];

export interface RenderedQuadrant {
  /** Position in the manifest's quadrant list. */
  index: number;
  /** HDU name prefix, e.g. "3-4.F". */
  quadrant: string;
  /** sci_path as written in the manifest. */
  sciPath: string;
  sciUrl: string;
  sciHdu: string;
  nx: number;
  ny: number;
  /** WCS (and photometric) cards of the SCI header, for the output HDU's header. */
  sciCards: HeaderCardJson[];
  /** Visible (source, quadrant) pairs rendered into this quadrant. */
  pairs: number;
  /** Sum of the model image (ADU) and its maximum. */
  sum: number;
  max: number;
  model: ArrayHandle;
}

export interface RenderReport {
  manifestUrl: string;
  params: string;
  paramsFormat: 'fits' | 'parquet';
  g1: number;
  g2: number;
  tileId: number;
  subTileRow: number;
  subTileCol: number;
  /** Sources in the scene (selected from the manifest's source_ids by the catalogue selection). */
  sourcesInScene: number;
  galaxies: number;
  stars: number;
  /** Scene sources that took their parameters from the table. */
  sourcesRendered: number;
  /** Scene sources without a row, rendered with flux 0 (missing = 'zero'). */
  sourcesMissing: Array<{ id: string; kind: 'galaxy' | 'star' }>;
  /** Table rows not in the scene (ignored) and the first few of their OBJECT_IDs. */
  rowsUnused: number;
  rowsUnusedIds: string[];
  /** Catalogue rows the selection dropped, by first reason. */
  dropCounts: Record<string, number>;
  pairs: number;
  adapter: AdapterReport;
  timingsMs: { prepare: number; engine: number; evaluate: number };
  warnings: string[];
}

export interface RenderResult {
  report: RenderReport;
  quadrants: RenderedQuadrant[];
}

/** Fit options that cross the protocol (src/engine/fit.ts FitConfig). */
export interface FitJobConfig {
  optimizer?: 'lbfgs' | 'adam';
  steps?: number;
  lr?: number;
  tol?: number;
  gtol?: number;
  every?: number;
  priors?: { gSigma: number; fluxLogSigma: number; hlrLogSigma: number; eSigma: number; offsetSigma: number };
  /** Gauss–Newton polish after L-BFGS (default true). */
  polish?: boolean;
}

/** `shearwb run`: prepare, fit (MAP + Laplace errors), hand the results back. */
export interface FitJob extends JobBase {
  kind: 'fit';
  config?: FitJobConfig;
  /** Draw diagnostics_*.png in the page (default true). */
  diagnostics?: boolean;
  /** Testing only: destroy the page's GPU device after this MAP progress step (device-loss handling). */
  loseDeviceAtStep?: number;
  /** Fisher blocks for the Laplace errors: on the GPU (default) or the float64 CPU reference (validation). */
  fisher?: 'gpu' | 'reference';
}

/** One fitted source, as JSON (NaN where a value does not apply or could not be computed). */
export interface FitSourceJson {
  objectId: number;
  kind: 'galaxy' | 'star';
  ra: number;
  dec: number;
  core: boolean;
  catalogFlux: number;
  catalogHlr: number;
  nQuadrants: number;
  flux: number;
  hlr: number;
  e1: number;
  e2: number;
  dx: number;
  dy: number;
  fluxErr: number;
  hlrErr: number;
  e1Err: number;
  e2Err: number;
  dxErr: number;
  dyErr: number;
  chi2: number;
  npix: number;
}

export interface FitDropJson {
  objectId?: number;
  what: string;
  stage: string;
  reason: string;
}

export interface FitQuadrantJson {
  index: number;
  name: string;
  pixels: number;
  valid: number;
  flagged: number;
  badRms: number;
  badSci: number;
  pairs: number;
  note?: string;
  /** Masked non-finite observations the engine found (should be 0: the data layer masks them first). */
  engineNonFinite?: number;
}

export interface FitJobResult {
  tileId: number;
  subTileRow: number;
  subTileCol: number;
  coreRa: number;
  coreDec: number;
  g1: number;
  g2: number;
  g1Err: number;
  g2Err: number;
  covG: number[];
  nGalaxies: number;
  nStars: number;
  sources: FitSourceJson[];
  map: { method: 'lbfgs' | 'adam'; steps: number; evaluations: number; converged: boolean; reason: string; loss: number; gradNorm: number; relLossChange: number };
  loss: number;
  chi2: number;
  negLogPrior: number;
  validPixels: number;
  pairs: number;
  config: FitJobConfig & { optimizer: 'lbfgs' | 'adam'; steps: number; every: number };
  dropped: FitDropJson[];
  selectionCounts: Record<string, number>;
  quadrants: FitQuadrantJson[];
  warnings: string[];
  adapter: AdapterReport;
  timingsMs: Record<string, number>;
  /** diagnostics_*.png bytes (observed | model | residual per quadrant), base64. */
  diagnosticsPng?: string;
}

/** Progress the page reports through `window.shearwbProgress` when the driver exposes it. */
export interface FitProgressJson {
  phase: string;
  step: number;
  loss: number;
  gradNorm: number;
  g1: number;
  g2: number;
  elapsedMs: number;
}

export type Job = RenderJob | FitJob;

/** What the page exposes as `window.shearwb`. */
export interface ShearwbPageApi {
  version: number;
  /** Resolves with the adapter once WebGPU is up; rejects with the reason it is not. */
  ready: Promise<AdapterReport>;
  adapter(): Promise<AdapterReport>;
  render(job: RenderJob): Promise<RenderResult>;
  fit(job: FitJob): Promise<FitJobResult>;
  /** Base64 of bytes [offset, offset + length) of a held array. */
  read(id: string, offset: number, length: number): string;
  /** Drop a held array (all of them without an id). */
  release(id?: string): void;
}

declare global {
  interface Window {
    shearwb?: ShearwbPageApi;
    /** Exposed by the Node driver (page.exposeFunction) to receive fit progress. */
    shearwbProgress?: (p: FitProgressJson) => unknown;
  }
}
