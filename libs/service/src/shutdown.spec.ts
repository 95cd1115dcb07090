import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanupAll, spawnApp, tempDir, type AppProcess, type JsonLine } from '@feed/testing';
import { withDeadline } from './shutdown';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;
let script: string;

/**
 * A tiny app: the BUILT service lib, a JSON-lines logger, shutdown steps described by SPEC_STEPS
 * ([{ name, ms?, fail? }]), the bound in SPEC_TIMEOUT_MS, and optionally a fatal self-trigger.
 */
const APP = `
const { installShutdown } = require('./service.js');
const write = (level) => (obj, msg) => process.stdout.write(JSON.stringify({ level, msg, t: Date.now(), ...obj }) + '\\n');
const log = { info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug'), flush() {} };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const steps = JSON.parse(process.env.SPEC_STEPS).map((s) => ({
  name: s.name,
  run: async () => {
    write('info')({ step: s.name }, 'step started');
    if (s.ms) await sleep(s.ms);
    if (s.fail) throw new Error(s.fail);
    write('info')({ step: s.name }, 'step finished');
  },
}));
const trigger = installShutdown(log, Number(process.env.SPEC_TIMEOUT_MS), () => steps);
if (process.env.SPEC_FATAL_AFTER_MS) setTimeout(() => void trigger('fatal: consumer loop failed', 3), Number(process.env.SPEC_FATAL_AFTER_MS));
setInterval(() => undefined, 1000); // a running app keeps its event loop busy
write('info')({}, 'ready');
`;

beforeAll(async () => {
  dir = await tempDir('shutdown-spec');
  // Only the shutdown module: it has no runtime dependency, so the bundle runs from a temp dir without node_modules.
  execFileSync(process.execPath, [path.join(ROOT, 'tools/build/esbuild.mjs'), path.join(ROOT, 'libs/service/src/shutdown.ts'), path.join(dir, 'service.js')], { cwd: ROOT, stdio: 'pipe' });
  script = path.join(dir, 'app.js');
  writeFileSync(script, APP);
});

afterAll(cleanupAll);

interface StepSpec {
  name: string;
  ms?: number;
  fail?: string;
}

async function app(name: string, steps: StepSpec[], timeoutMs: number, env: Record<string, string> = {}): Promise<AppProcess> {
  const a = spawnApp({ name, script, cwd: dir, env: { SPEC_STEPS: JSON.stringify(steps), SPEC_TIMEOUT_MS: String(timeoutMs), ...env } });
  await a.waitForJson((o) => o['msg'] === 'ready');
  return a;
}

const msgs = (a: AppProcess): JsonLine[] => a.json().filter((o) => typeof o['msg'] === 'string' && o['msg'] !== 'ready');
const trail = (a: AppProcess): string[] => msgs(a).map((o) => (o['step'] ? `${String(o['msg'])}:${String(o['step'])}` : String(o['msg'])));

describe('installShutdown', () => {
  it('SIGTERM runs the steps in order, each to completion, and exits 0', async () => {
    const a = await app('clean', [{ name: 'stop consuming', ms: 100 }, { name: 'drain nats', ms: 150 }, { name: 'close http' }], 5_000);
    const r = await a.stop('SIGTERM', 10_000);
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(trail(a)).toEqual([
      'shutting down',
      'step started:stop consuming',
      'step finished:stop consuming',
      'shutdown step done:stop consuming',
      'step started:drain nats',
      'step finished:drain nats',
      'shutdown step done:drain nats',
      'step started:close http',
      'step finished:close http',
      'shutdown step done:close http',
      'shutdown complete',
    ]);
    expect(msgs(a)[0]).toMatchObject({ reason: 'SIGTERM', timeoutMs: 5_000 });
    expect(msgs(a).at(-1)).toMatchObject({ code: 0 });
    expect(r.ms).toBeGreaterThanOrEqual(250);
    expect(r.ms).toBeLessThan(3_000);
  });

  it('SIGINT does the same', async () => {
    const a = await app('sigint', [{ name: 'only', ms: 20 }], 5_000);
    const r = await a.stop('SIGINT', 10_000);
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(msgs(a)[0]).toMatchObject({ msg: 'shutting down', reason: 'SIGINT' });
    expect(trail(a)).toContain('shutdown step done:only');
  });

  it('a step that exceeds the bound makes the process exit 1 at the bound, without running later steps', async () => {
    const a = await app('stuck', [{ name: 'stop consuming' }, { name: 'drain nats', ms: 30_000 }, { name: 'close redis' }], 800);
    const r = await a.stop('SIGTERM', 10_000);
    expect(r).toMatchObject({ code: 1, signal: null });
    expect(r.ms).toBeGreaterThanOrEqual(750);
    expect(r.ms).toBeLessThan(2_500);
    expect(trail(a)).toEqual(['shutting down', 'step started:stop consuming', 'step finished:stop consuming', 'shutdown step done:stop consuming', 'step started:drain nats', 'shutdown exceeded its bound: exiting']);
  });

  it('a step that fails is logged, the remaining steps still run, and the exit code is 1', async () => {
    const a = await app('failing', [{ name: 'flush', fail: 'publish timed out' }, { name: 'drain nats', ms: 20 }], 5_000);
    const r = await a.stop('SIGTERM', 10_000);
    expect(r).toMatchObject({ code: 1, signal: null });
    expect(trail(a)).toEqual(['shutting down', 'step started:flush', 'shutdown step failed:flush', 'step started:drain nats', 'step finished:drain nats', 'shutdown step done:drain nats', 'shutdown complete']);
    expect(msgs(a).find((o) => o['msg'] === 'shutdown step failed')).toMatchObject({ err: 'publish timed out' });
  });

  it('the returned trigger runs the same sequence with the given exit code (fatal errors)', async () => {
    const a = await app('fatal', [{ name: 'stop consuming', ms: 10 }], 5_000, { SPEC_FATAL_AFTER_MS: '100' });
    const info = await a.exited;
    expect(info).toMatchObject({ code: 3, signal: null });
    expect(msgs(a)[0]).toMatchObject({ msg: 'shutting down', reason: 'fatal: consumer loop failed' });
    expect(trail(a)).toContain('shutdown step done:stop consuming');
  });

  it('a second SIGTERM during the shutdown does not cut it short', async () => {
    const a = await app('twice', [{ name: 'drain nats', ms: 600 }, { name: 'close redis' }], 5_000);
    const started = Date.now();
    const stopping = a.stop('SIGTERM', 10_000);
    await a.waitForJson((o) => o['msg'] === 'step started' && o['step'] === 'drain nats');
    process.kill(a.pid, 'SIGTERM');
    const r = await stopping;
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(trail(a)).toContain('shutdown step done:close redis');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });
});

describe('withDeadline', () => {
  it('resolves with the value when the promise settles in time', async () => {
    await expect(withDeadline(new Promise((r) => setTimeout(() => r('ok'), 20)), 1_000, 'redis connect')).resolves.toBe('ok');
  });

  it('passes the promise rejection through', async () => {
    await expect(withDeadline(Promise.reject(new Error('ECONNREFUSED')), 1_000, 'redis connect')).rejects.toThrow('ECONNREFUSED');
  });

  it('rejects with code STARTUP_TIMEOUT naming what did not complete, at the deadline', async () => {
    const t0 = Date.now();
    const err = (await withDeadline(new Promise(() => undefined), 300, 'NATS streams check').catch((e: unknown) => e)) as Error & { code?: string };
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('STARTUP_TIMEOUT');
    expect(err.message).toBe('NATS streams check did not complete within 300 ms');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_000);
  });
});
