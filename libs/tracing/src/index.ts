export * from './propagation';
export * from './tracer';
export * from './sampler';
export * from './sampled-header';
export * from './export-stats';
export * from './sdk';
export * from './boot';
export * from './sync-context';
