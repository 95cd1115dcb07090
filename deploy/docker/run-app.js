#!/usr/bin/env node
// Entry point of the all-in-one preview image: `feed:<tag> <app> [args]` runs one app (or the stream setup job)
// in this process, so signals reach it directly and SIGTERM drains it as in the per-app images.
'use strict';
const path = require('node:path');

const ENTRIES = {
  ingest: 'dist/apps/ingest/main.js',
  normalizer: 'dist/apps/normalizer/main.js',
  persister: 'dist/apps/persister/main.js',
  api: 'dist/apps/api/main.js',
  streams: 'dist/tools/streams/main.js',
};

const [app, ...rest] = process.argv.slice(2);
const entry = ENTRIES[app];
if (!entry) {
  console.error(`usage: run-app.js <${Object.keys(ENTRIES).join('|')}> [args]; got ${JSON.stringify(app ?? '')}`);
  process.exit(64);
}
// The app reads its own argv (e.g. `streams apply`): present it as if it had been started directly.
process.argv = [process.argv[0], path.join(__dirname, entry), ...rest];
require(path.join(__dirname, entry));
