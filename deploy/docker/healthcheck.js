#!/usr/bin/env node
// Container health probe (decision 9): GET http://127.0.0.1:<port>/health, exit 0 on 200, 1 otherwise.
// Slim images have no curl, hence Node. /health is liveness only, so a venue outage never fails it.
// This is a standalone probe run by the container engine, not app code: it reads HTTP_PORT (or the legacy
// HEALTH_CHECK_PORT) itself, else the default port of the app named by FEED_APP or by the all-in-one image's
// argument (pid 1's command line), mirroring libs/config's defaults.
'use strict';
const http = require('node:http');
const fs = require('node:fs');

const DEFAULT_PORTS = { api: 8080, ingest: 8081, normalizer: 8082, persister: 8083 };

function appName() {
  if (process.env.FEED_APP) return process.env.FEED_APP;
  try {
    const argv = fs.readFileSync('/proc/1/cmdline', 'utf8').split('\0');
    return argv.find((a) => a in DEFAULT_PORTS);
  } catch {
    return undefined;
  }
}

function port() {
  const p = process.env.HTTP_PORT || process.env.HEALTH_CHECK_PORT || DEFAULT_PORTS[appName()];
  const n = Number(p);
  if (!Number.isInteger(n) || n <= 0 || n > 65535) {
    console.error(`healthcheck: no usable port (HTTP_PORT=${process.env.HTTP_PORT ?? ''}, app=${appName() ?? 'unknown'})`);
    process.exit(1);
  }
  return n;
}

const req = http.get({ host: '127.0.0.1', port: port(), path: '/health', timeout: 2500 }, (res) => {
  res.resume();
  res.on('end', () => process.exit(res.statusCode === 200 ? 0 : 1));
});
req.on('timeout', () => {
  console.error('healthcheck: /health timed out');
  req.destroy();
  process.exit(1);
});
req.on('error', (e) => {
  console.error(`healthcheck: ${e.message}`);
  process.exit(1);
});
