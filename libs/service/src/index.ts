export * from './health';
export * from './ops-server';
export * from './shutdown';
export * from './runtime-flags';
export * from './service-context';
