export * from './propagation';
export * from './tracer';
