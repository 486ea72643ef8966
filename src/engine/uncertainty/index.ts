// Shear and per-source uncertainties by the Laplace approximation at the MAP.
export * from './laplace';
export * from './prior-hessian';
export * from './linalg';
export * from './reference-laplace';
