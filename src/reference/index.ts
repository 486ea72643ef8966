// Float64 CPU reference of the forward model, loss and gradient (DESIGN §2): the oracle
// for the WGSL engine's tests. Conventions are stated at the top of each module.
export * from './fft64';
export * from './shape';
export * from './stamp';
export * from './scene';
export * from './gradient';
