#!/usr/bin/env node
// Bundles one entry point (and the workspace libs it imports) into a single CommonJS file.
// node_modules stay external: images install production dependencies beside the bundle.
// Usage: node tools/build/esbuild.mjs <entry.ts> <outfile.js> [<entry.ts> <outfile.js> ...]
import { build } from 'esbuild';

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  console.error('usage: esbuild.mjs <entry.ts> <outfile.js> [...pairs]');
  process.exit(2);
}
const jobs = [];
for (let i = 0; i < args.length; i += 2) {
  jobs.push(
    build({
      entryPoints: [args[i]],
      outfile: args[i + 1],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      sourcemap: true,
      packages: 'external',
      tsconfig: 'tsconfig.base.json',
      logLevel: 'warning',
    }),
  );
}
await Promise.all(jobs);
