export * from './registry';
export * from './dump';
