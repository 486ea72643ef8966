// Per-sub-tile products (DESIGN §3): shear and parameter tables (FITS + Parquet), diagnostics PNG,
// provenance YAML, catalogue assembly. Browser-safe; Node-only atomic writing is in ./atomic.
export * from './names';
export * from './table';
export * from './shear';
export * from './params';
export * from './metadata';
export * from './png';
export * from './diagnostics';
export * from './catalogue';
export * from './build';
