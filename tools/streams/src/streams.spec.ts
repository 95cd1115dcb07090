import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError, ConfigReader } from '@feed/config';
import { DEFAULT_STREAM_SETTINGS } from '@feed/messaging';
import { cleanupAll, freePort, spawnApp, startNatsWithClient, tempDir, type JsonLine, type NatsServerHandle } from '@feed/testing';
import { StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { readSettings } from './settings';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');
const MiB = 1024 * 1024;
const ns = (ms: number) => ms * 1_000_000;

let script: string;
let nats: NatsServerHandle;
let jsm: JetStreamManager;

beforeAll(async () => {
  // The tool as shipped: bundled by the project's build script, run as compiled JS.
  const dir = await tempDir('streams-build');
  script = path.join(dir, 'streams.js');
  const b = spawnSync(process.execPath, ['tools/build/esbuild.mjs', 'tools/streams/src/main.ts', script], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed (${b.status}): ${b.stderr}${b.stdout}`);
  ({ nats, jsm } = await startNatsWithClient());
});

afterAll(async () => {
  await cleanupAll();
});

interface Run {
  code: number | null;
  lines: string[];
  json: JsonLine[];
}

/** Runs the built tool to its exit. The bundle keeps node_modules external, so NODE_PATH points at the repo's. */
async function runTool(args: string[], env: Record<string, string>): Promise<Run> {
  const app = spawnApp({ name: `streams-${args.join('-')}`, script, args, env: { NODE_PATH: path.join(ROOT, 'node_modules'), ...env }, cwd: ROOT });
  const exit = await Promise.race([app.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref())]);
  if (exit === 'timeout') {
    await app.kill9();
    throw new Error(`streams ${args.join(' ')} did not exit within 30 s:\n${app.tail()}`);
  }
  return { code: exit.code, lines: app.lines(), json: app.json() };
}

/** Small caps so the test server's disk is not reserved for production-sized streams. */
function smallEnv(prefix: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    NATS_URL: nats.url,
    FEED_PREFIX: prefix,
    RAW_MAX_BYTES: String(64 * MiB),
    MD_MAX_BYTES: String(64 * MiB),
    DLQ_MAX_BYTES: String(8 * MiB),
    STARTUP_TIMEOUT_MS: '5000',
    ...over,
  };
}

function report(run: Run): JsonLine {
  const reports = run.json.filter((o) => o['msg'] === 'streams');
  expect({ reports: reports.length, output: run.lines }).toEqual({ reports: 1, output: run.lines });
  return reports[0] as JsonLine;
}

describe('streams tool against a real nats-server', () => {
  it('apply creates RAW, MD, DLQ and the lease bucket; a second apply changes nothing; check passes', async () => {
    const env = smallEnv('st1');
    const first = await runTool(['apply'], env);
    expect(first.code).toBe(0);
    expect(report(first)).toEqual({ msg: 'streams', mode: 'apply', created: ['ST1_RAW', 'ST1_MD', 'ST1_DLQ', 'KV_st1_leases'], updated: [], unchanged: [], drift: [] });
    // Exactly one line of output: the JSON report.
    expect(first.lines).toHaveLength(1);

    const raw = await jsm.streams.info('ST1_RAW');
    expect(raw.config).toMatchObject({ subjects: ['st1.raw.>'], storage: StorageType.File, max_bytes: 64 * MiB, max_age: ns(DEFAULT_STREAM_SETTINGS.rawMaxAgeMs), duplicate_window: ns(120_000) });
    expect((await jsm.streams.info('ST1_MD')).config).toMatchObject({ subjects: ['st1.md.v1.>'], max_bytes: 64 * MiB });
    expect((await jsm.streams.info('ST1_DLQ')).config).toMatchObject({ subjects: ['st1.dlq.>'], max_bytes: 8 * MiB });

    const second = await runTool(['apply'], env);
    expect(second.code).toBe(0);
    expect(report(second)).toEqual({ msg: 'streams', mode: 'apply', created: [], updated: [], unchanged: ['ST1_RAW', 'ST1_MD', 'ST1_DLQ', 'KV_st1_leases'], drift: [] });

    const check = await runTool(['check'], env);
    expect(check.code).toBe(0);
    expect(report(check)).toEqual({ msg: 'streams', mode: 'check', created: [], updated: [], unchanged: ['ST1_RAW', 'ST1_MD', 'ST1_DLQ', 'KV_st1_leases'], drift: [] });
  });

  it('check exits 2 listing drift and changes nothing; apply fixes it; check then passes', async () => {
    await expect(runTool(['apply'], smallEnv('st2'))).resolves.toMatchObject({ code: 0 });
    const changed = smallEnv('st2', { DUPLICATE_WINDOW_MS: '60000' });

    const check = await runTool(['check'], changed);
    expect(check.code).toBe(2);
    const drift = (name: string) => ({ stream: name, field: 'duplicate_window', want: ns(60_000), have: ns(120_000), fixable: true });
    expect(report(check)).toEqual({ msg: 'streams', mode: 'check', created: [], updated: [], unchanged: ['KV_st2_leases'], drift: [drift('ST2_RAW'), drift('ST2_MD'), drift('ST2_DLQ')] });
    for (const s of ['ST2_RAW', 'ST2_MD', 'ST2_DLQ']) expect((await jsm.streams.info(s)).config.duplicate_window).toBe(ns(120_000));

    const fix = await runTool(['apply'], changed);
    expect(fix.code).toBe(0);
    expect(report(fix)).toMatchObject({ mode: 'apply', created: [], updated: ['ST2_RAW', 'ST2_MD', 'ST2_DLQ'], drift: [drift('ST2_RAW'), drift('ST2_MD'), drift('ST2_DLQ')] });
    for (const s of ['ST2_RAW', 'ST2_MD', 'ST2_DLQ']) expect((await jsm.streams.info(s)).config.duplicate_window).toBe(ns(60_000));
    // The other limits were kept through the update.
    expect((await jsm.streams.info('ST2_MD')).config.max_bytes).toBe(64 * MiB);

    const after = await runTool(['check'], changed);
    expect(after.code).toBe(0);
    expect(report(after)).toMatchObject({ drift: [], unchanged: ['ST2_RAW', 'ST2_MD', 'ST2_DLQ', 'KV_st2_leases'] });
  });

  it('check on an empty server exits 2 and lists every missing stream without creating any', async () => {
    const check = await runTool(['check'], smallEnv('st3'));
    expect(check.code).toBe(2);
    const missing = (name: string) => ({ stream: name, field: '(stream)', want: 'present', have: 'missing', fixable: true });
    expect(report(check)).toEqual({ msg: 'streams', mode: 'check', created: [], updated: [], unchanged: [], drift: [missing('ST3_RAW'), missing('ST3_MD'), missing('ST3_DLQ'), missing('KV_st3_leases')] });
    const names: string[] = [];
    for await (const si of jsm.streams.list()) names.push(si.config.name);
    expect(names.filter((n) => n.startsWith('ST3_') || n === 'KV_st3_leases')).toEqual([]);
  });

  it('apply exits 2 on drift it cannot fix (storage) and leaves that stream alone', async () => {
    await jsm.streams.add({ name: 'ST4_MD', subjects: ['st4.md.>'], storage: StorageType.Memory, max_bytes: 64 * MiB });
    const run = await runTool(['apply'], smallEnv('st4'));
    expect(run.code).toBe(2);
    const r = report(run);
    expect(r['created']).toEqual(['ST4_RAW', 'ST4_DLQ', 'KV_st4_leases']);
    expect(r['updated']).toEqual([]);
    expect(r['drift']).toContainEqual({ stream: 'ST4_MD', field: 'storage', want: 'file', have: 'memory', fixable: false });
    expect((await jsm.streams.info('ST4_MD')).config.storage).toBe(StorageType.Memory);
  });

  it('a NATS_URL where no server listens: exit 1 with one JSON error line, within the startup deadline', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const run = await runTool(['apply'], smallEnv('st5', { NATS_URL: `nats://127.0.0.1:${port}`, STARTUP_TIMEOUT_MS: '1000' }));
    expect(run.code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(run.json).toEqual([{ level: 'fatal', msg: 'stream setup failed', err: expect.stringMatching(new RegExp(`^cannot reach NATS at nats://127\\.0\\.0\\.1:${port} within 1000 ms`)) }]);
    expect(run.lines).toHaveLength(1);
  });

  it('a malformed NATS_URL and bad caps: exit 1, every problem named in the JSON error line', async () => {
    const run = await runTool(['apply'], smallEnv('st6', { NATS_URL: 'http://127.0.0.1:1', RAW_MAX_BYTES: '1000' }));
    expect(run.code).toBe(1);
    expect(run.json).toHaveLength(1);
    expect(run.json[0]).toMatchObject({ level: 'fatal', msg: 'stream setup failed' });
    const err = String(run.json[0]?.['err']);
    expect(err).toContain('NATS_URL entry "http://127.0.0.1:1" is not a nats:// or tls:// URL');
    expect(err).toContain('RAW_MAX_BYTES=1000 is below the minimum 1048576');
  });

  it('an unknown mode is a usage error (exit 64) and touches nothing', async () => {
    const run = await runTool(['delete'], smallEnv('st7'));
    expect(run.code).toBe(64);
    expect(run.lines).toEqual(['usage: streams (apply|check)']);
  });
});

describe('readSettings', () => {
  it('defaults to DEFAULT_STREAM_SETTINGS with the given prefix', () => {
    const r = new ConfigReader({});
    expect(readSettings(r, 'feed')).toEqual({ ...DEFAULT_STREAM_SETTINGS, prefix: 'feed' });
    expect(() => r.done()).not.toThrow();
  });

  it('reads every setting from its variable', () => {
    const r = new ConfigReader({
      STREAM_REPLICAS: '3',
      DUPLICATE_WINDOW_MS: '60000',
      RAW_MAX_AGE_MS: '3600000',
      RAW_MAX_BYTES: String(64 * MiB),
      MD_MAX_AGE_MS: '7200000',
      MD_MAX_BYTES: String(128 * MiB),
      DLQ_MAX_AGE_MS: '86400000',
      DLQ_MAX_BYTES: String(8 * MiB),
      LEASE_TTL_MS: '1500',
    });
    expect(readSettings(r, 'pv1')).toEqual({
      prefix: 'pv1',
      replicas: 3,
      duplicateWindowMs: 60_000,
      rawMaxAgeMs: 3_600_000,
      rawMaxBytes: 64 * MiB,
      mdMaxAgeMs: 7_200_000,
      mdMaxBytes: 128 * MiB,
      dlqMaxAgeMs: 86_400_000,
      dlqMaxBytes: 8 * MiB,
      leaseTtlMs: 1_500,
    });
    expect(() => r.done()).not.toThrow();
  });

  it('collects every bad value and fails loud at done()', () => {
    const r = new ConfigReader({ STREAM_REPLICAS: '6', DUPLICATE_WINDOW_MS: 'two minutes', RAW_MAX_BYTES: '1048575', MD_MAX_AGE_MS: '999', LEASE_TTL_MS: '-5', DLQ_MAX_BYTES: '1.5e9' });
    readSettings(r, 'feed');
    let err: unknown;
    try {
      r.done();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const part of [
      'STREAM_REPLICAS=6 is above the maximum 5',
      'DUPLICATE_WINDOW_MS="two minutes" is not an integer',
      'RAW_MAX_BYTES=1048575 is below the minimum 1048576',
      'MD_MAX_AGE_MS=999 is below the minimum 1000',
      'LEASE_TTL_MS=-5 is below the minimum 100',
      'DLQ_MAX_BYTES="1.5e9" is not an integer',
    ]) {
      expect(msg).toContain(part);
    }
  });

  it('accepts the minimums exactly', () => {
    const r = new ConfigReader({ STREAM_REPLICAS: '1', DUPLICATE_WINDOW_MS: '100', RAW_MAX_BYTES: '1048576', RAW_MAX_AGE_MS: '1000', LEASE_TTL_MS: '100' });
    expect(readSettings(r, 'feed')).toMatchObject({ replicas: 1, duplicateWindowMs: 100, rawMaxBytes: 1_048_576, rawMaxAgeMs: 1_000, leaseTtlMs: 100 });
    expect(() => r.done()).not.toThrow();
  });
});
