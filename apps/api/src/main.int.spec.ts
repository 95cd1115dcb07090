/**
 * The compiled api as a process: wiring of main.ts, the "api listening" line, SIGTERM shutdown (clients closed
 * with 1001, exit 0 within the bound) and the start-up deadline (unreachable dependency -> non-zero exit).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { applyStreams, connectNats, DEFAULT_STREAM_SETTINGS } from '@feed/messaging';
import { cleanupAll, freePort, httpGet, spawnApp, startNats, startRedis, waitFor, type NatsServerHandle, type RedisServerHandle } from '@feed/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { WebSocket } from 'ws';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../../..');
const script = path.join(root, 'tmp/api-spec/main.js');
let nats: NatsServerHandle;
let redis: RedisServerHandle;

beforeAll(async () => {
  // Inside the repo so the bundle's external packages resolve from its node_modules.
  execFileSync(process.execPath, ['tools/build/esbuild.mjs', 'apps/api/src/main.ts', script], { cwd: root, stdio: 'pipe' });
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  const nc = await connectNats({ servers: [nats.url], name: 'api-main-spec', startupTimeoutMs: 5_000 });
  await applyStreams(nc, await jetstreamManager(nc), { ...DEFAULT_STREAM_SETTINGS, prefix: 'test' });
  await nc.drain();
});

afterAll(() => cleanupAll());

const baseEnv = () => ({
  FEED_PREFIX: 'test',
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '0',
  NATS_URL: nats.url,
  REDIS_HOST: '127.0.0.1',
  REDIS_PORT: String(redis.port),
  SHUTDOWN_TIMEOUT_MS: '5000',
});

it('starts, serves, and on SIGTERM closes stream clients with 1001 and exits 0', async () => {
  const app = spawnApp({ name: 'api', script, env: baseEnv() });
  const line = await app.waitForJson((o) => o['msg'] === 'api listening', 20_000);
  const port = line['port'] as number;
  expect(port).toBeGreaterThan(0);
  expect((await httpGet(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  expect((await httpGet(`http://127.0.0.1:${port}/ready`)).status).toBe(200);

  const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/stream`);
  let closeCode: number | undefined;
  ws.on('close', (code) => (closeCode = code));
  ws.on('error', () => undefined);
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ op: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' }));
  await new Promise((r) => ws.once('message', r));

  const stopped = await app.stop('SIGTERM', 10_000);
  expect(stopped.code).toBe(0);
  await waitFor(() => closeCode, { what: 'client close' });
  expect(closeCode).toBe(1001);
  const steps = app.json().filter((o) => o['msg'] === 'shutdown step done').map((o) => o['step']);
  expect(steps).toEqual(['stop accepting', 'close websocket clients', 'stop polled channels', 'stop live consumer', 'finish http requests', 'drain nats', 'quit redis', 'flush traces']);
});

it('exits non-zero when a dependency is unreachable within STARTUP_TIMEOUT_MS', async () => {
  const app = spawnApp({ name: 'api-no-redis', script, env: { ...baseEnv(), REDIS_PORT: String(await freePort()), STARTUP_TIMEOUT_MS: '500' } });
  const exit = await app.exited;
  expect(exit.code).toBe(1);
  expect(app.json().find((o) => o['msg'] === 'startup failed')).toMatchObject({ level: 'fatal', err: { code: 'REDIS_UNREACHABLE' } });
});
