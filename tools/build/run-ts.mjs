#!/usr/bin/env node
// Runs a TypeScript entry point without a build step: bundles it (libs included, node_modules external) into
// tmp/run-ts/ and executes it with the remaining arguments. For benchmarks and one-off tools.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: run-ts.mjs <entry.ts> [args]');
  process.exit(2);
}
const outfile = path.resolve('tmp/run-ts', `${path.basename(entry, '.ts')}-${process.pid}.js`);
await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', packages: 'external', tsconfig: 'tsconfig.base.json', logLevel: 'warning' });
const r = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
