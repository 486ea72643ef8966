// MAP optimisation, independent of where loss and gradient come from (CPU reference or GPU).
export * from './transform';
export * from './objective';
export * from './common';
export * from './adam';
export * from './lbfgs';
export * from './map';
