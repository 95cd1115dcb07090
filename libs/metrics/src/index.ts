export * from './registry';
export * from './hot-metrics';
