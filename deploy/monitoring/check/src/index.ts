export * from './known-metrics';
export * from './monitoring-files';
export * from './promql-names';
