export * from './errors';
export * from './reader';
export * from './common';
export * from './nats';
export * from './redis';
export * from './http';
export * from './otel';
