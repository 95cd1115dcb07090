export * from './apply-script';
export * from './batch-args';
export * from './legacy-v3';
export * from './applier';
export * from './script-projection';
export * from './projection-set';
