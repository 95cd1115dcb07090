#!/usr/bin/env node
// Runs one project's Jest suite and writes Jest's JSON result to reports/jest/<name>.json, which .ci/run sums
// into its single "N passed, M failed" line. Extra arguments go to Jest (e.g. a test name filter).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [dir, name, ...rest] = process.argv.slice(2);
if (!dir || !name) {
  console.error('usage: jest.mjs <project-dir> <report-name> [jest args]');
  process.exit(2);
}
mkdirSync(path.join(root, 'reports/jest'), { recursive: true });
const r = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules/jest/bin/jest.js'), '-c', path.join(dir, 'jest.config.js'), '--json', `--outputFile=reports/jest/${name}.json`, '--passWithNoTests', ...rest],
  { stdio: 'inherit', cwd: root },
);
process.exit(r.status ?? 1);
