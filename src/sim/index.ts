// Public entry of the simulator: sub-tiles with known shear (see subtile.ts) and the real-space renderer.
export { simulateSubtile, writeSubtile, type SimOptions, type SimResult, type SimTruth, type TruthSource } from './subtile';
export { renderSource, exponentialMixture, type RenderSource, type RenderOptions, type Stamp } from './render';
export { PsfField, psfMixture, effectivePsfStamp, PSF_GRID, PSF_STAMP } from './psf';
export { SimTpv } from './tpv';
export { Rng } from './random';
