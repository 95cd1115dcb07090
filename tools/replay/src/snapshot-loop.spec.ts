import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { keyFamilies, Keys } from '@feed/keys';
import { applyStreams, DEFAULT_STREAM_SETTINGS } from '@feed/messaging';
import type { TradeV1 } from '@feed/price-types';
import { cleanupAll, httpGet, spawnApp, startNatsWithClient, startRedis, tempDir, waitFor, type AppProcess, type JsonLine, type NatsServerHandle, type RedisServerHandle } from '@feed/testing';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { restoreSnapshot, snapshotName } from './snapshot-file';

/**
 * The periodic snapshotter (`snapshot --every MS`) as one compiled process against real nats-server and
 * redis-server: a newer snapshot per period while the log grows, none while it does not, `--keep` bounds the files,
 * a failed round (the scratch Redis stopped) is logged, counted and retried, and SIGTERM ends the wait at once.
 * Every wait is on a condition with a deadline.
 */
jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '../../..');
const MiB = 1024 * 1024;
const PREFIX = 'snl';
const SUBJECT = `${PREFIX}.md.v1.trade.BTC-USDT.binance`;
const EVERY_MS = 300;
const keys = new Keys(`${PREFIX}:`);

let script: string;
let nats: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let published = 0;
const clients: Redis[] = [];

beforeAll(async () => {
  const dir = await tempDir('snapshot-loop-build');
  script = path.join(dir, 'replay.js');
  const b = spawnSync(process.execPath, ['tools/build/esbuild.mjs', 'tools/replay/src/main.ts', script], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed (${b.status}): ${b.stderr}${b.stdout}`);
  const started = await startNatsWithClient();
  ({ nats, nc } = started);
  js = jetstream(nc);
  await applyStreams(nc, started.jsm, { ...DEFAULT_STREAM_SETTINGS, prefix: PREFIX, rawMaxBytes: 64 * MiB, mdMaxBytes: 64 * MiB, dlqMaxBytes: 8 * MiB });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await cleanupAll();
});

/** `n` more simulated Binance trades on MD; returns the last stream sequence (one message per trade). */
async function publish(n: number): Promise<number> {
  let seq = 0;
  for (let i = published; i < published + n; i++) {
    const tradeId = String(7_000_000 + i);
    const venueTimeUs = 1_770_000_000_000_000 + i * 1_000;
    const ev: TradeV1 = { v: 1, type: 'trade', id: `trade:binance:BTC-USDT:${tradeId}`, venue: 'binance', symbol: 'BTC-USDT', source: 'simulated', recvTimeUs: venueTimeUs + 500, tradeId, price: `${60_000 + (i % 97)}.5`, size: '0.01', side: i % 2 ? 'buy' : 'sell', venueTimeUs };
    seq = (await js.publish(SUBJECT, JSON.stringify(ev), { msgID: ev.id })).seq;
  }
  published += n;
  return seq;
}

function snapshotter(redis: RedisServerHandle, dir: string, o: { keep: number; everyMs: number }): AppProcess {
  return spawnApp({
    name: 'snapshotter',
    script,
    args: ['snapshot', '--dir', dir, '--keep', String(o.keep), '--every', String(o.everyMs)],
    env: { NODE_PATH: path.join(ROOT, 'node_modules'), NATS_URL: nats.url, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port), FEED_PREFIX: PREFIX, STARTUP_TIMEOUT_MS: '5000', HTTP_HOST: '127.0.0.1', HTTP_PORT: '0' },
    cwd: ROOT,
  });
}

const files = (dir: string): string[] => readdirSync(dir).sort();
const written = (seq: number) => (o: JsonLine) => o['msg'] === 'snapshot written' && o['seq'] === seq;

async function opsPort(app: AppProcess): Promise<number> {
  return (await app.waitForJson((o) => o['msg'] === 'ops listening'))['port'] as number;
}

async function rounds(port: number): Promise<Record<string, number>> {
  const text = (await httpGet(`http://127.0.0.1:${port}/metrics`)).body;
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^feed_snapshot_rounds_total\{[^}]*result="(\w+)"[^}]*\} (\d+)$/gm)) out[m[1] as string] = Number(m[2]);
  return out;
}

/** Trades held by a snapshot file, read back through a restore into a fresh redis-server. */
async function tradesIn(file: string): Promise<number> {
  const server = await startRedis();
  const c = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 1 });
  clients.push(c);
  await restoreSnapshot(c, keyFamilies(`${PREFIX}:`), keys, file, 'check');
  return c.zcard(`${PREFIX}:trades:BTC-USDT`);
}

async function stopWithin(app: AppProcess, ms: number): Promise<JsonLine> {
  const r = await app.stop('SIGTERM', 15_000);
  expect({ code: r.code, fast: r.ms < ms }).toEqual({ code: 0, fast: true });
  const last = app.json().at(-1) as JsonLine;
  expect(last['msg']).toBe('snapshotter stopped');
  return last;
}

describe('snapshot --every against real servers', () => {
  let scratch: RedisServerHandle;
  let dir: string;

  beforeAll(async () => {
    scratch = await startRedis();
    dir = await tempDir('snapshots');
  });

  it('writes a newer snapshot as the log grows, none while it does not, and keeps --keep files', async () => {
    const s1 = await publish(50);
    const app = snapshotter(scratch, dir, { keep: 2, everyMs: EVERY_MS });
    const port = await opsPort(app);
    await app.waitForJson(written(s1), 15_000);
    // The log did not grow: later rounds say so and write nothing.
    await app.waitForJson((o) => o['msg'] === 'snapshot unchanged' && o['seq'] === s1, 5_000);
    expect(files(dir)).toEqual([snapshotName(s1)]);

    const s2 = await publish(30);
    const second = await app.waitForJson(written(s2), 10_000);
    expect(second).toMatchObject({ pruned: [], tail: { fromSeq: s1 + 1, lastSeq: s2, events: s2 - s1, applied: s2 - s1 } });
    expect(files(dir)).toEqual([snapshotName(s1), snapshotName(s2)]);

    const s3 = await publish(20);
    const third = await app.waitForJson(written(s3), 10_000);
    expect(third['pruned']).toEqual([path.join(dir, snapshotName(s1))]);
    expect(files(dir)).toEqual([snapshotName(s2), snapshotName(s3)]);

    // Each file holds the state up to its own sequence.
    expect(await tradesIn(path.join(dir, snapshotName(s2)))).toBe(80);
    expect(await tradesIn(path.join(dir, snapshotName(s3)))).toBe(100);

    const counted = await rounds(port);
    expect(counted).toMatchObject({ written: 3, failed: 0 });
    expect(counted['unchanged']).toBeGreaterThanOrEqual(1);
    expect((await httpGet(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect((await httpGet(`http://127.0.0.1:${port}/ready`)).status).toBe(200);

    const last = await stopWithin(app, 5_000);
    expect(last).toMatchObject({ written: 3, failed: 0, seq: s3 });
    expect(last['rounds']).toBe((last['written'] as number) + (last['unchanged'] as number));
  });

  it('SIGTERM during a long wait ends the loop at once with exit 0 and a final line', async () => {
    const app = snapshotter(scratch, dir, { keep: 2, everyMs: 120_000 });
    // It continues from the scratch Redis' checkpoint: the log has not grown, so nothing new is written.
    await app.waitForJson((o) => o['msg'] === 'snapshot unchanged' && o['seq'] === published, 15_000);
    const before = files(dir);
    // A two-minute period: only an interrupted wait ends within the bound.
    const last = await stopWithin(app, 3_000);
    expect(last).toEqual({ msg: 'snapshotter stopped', rounds: 1, written: 0, unchanged: 1, failed: 0, seq: published });
    expect(files(dir)).toEqual(before);
  });
});

describe('snapshot --every when the scratch Redis goes away between rounds', () => {
  it('logs and counts each failed round, keeps running, and continues from the newest file when Redis is back empty', async () => {
    const scratch = await startRedis();
    const dir = await tempDir('snapshots-outage');
    const s1 = await publish(10);
    const app = snapshotter(scratch, dir, { keep: 3, everyMs: EVERY_MS });
    const port = await opsPort(app);
    await app.waitForJson(written(s1), 15_000);

    await scratch.stop();
    await app.waitForJson((o) => o['msg'] === 'snapshot round failed' && o['level'] === 'error' && o['failed'] === 2, 15_000);
    // Alive (not restarted by the orchestrator), not ready, and every failure counted.
    expect((await httpGet(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    expect((await httpGet(`http://127.0.0.1:${port}/ready`)).status).toBe(503);
    expect((await rounds(port))['failed']).toBeGreaterThanOrEqual(2);
    expect(app.running).toBe(true);

    const s2 = await publish(15);
    await scratch.restart(); // no persistence: it comes back empty, as the swarm's redis-snapshot does
    const after = await app.waitForJson(written(s2), 15_000);
    // Restored from the newest file, then only the tail: not a replay from the start of the log.
    expect(after['tail']).toMatchObject({ fromSeq: s1 + 1, lastSeq: s2, applied: s2 - s1 });
    expect(await tradesIn(path.join(dir, snapshotName(s2)))).toBe(published);
    await waitFor(async () => (await httpGet(`http://127.0.0.1:${port}/ready`)).status === 200, { what: 'ready again' });

    const failures = app.json().filter((o) => o['msg'] === 'snapshot round failed');
    const last = await stopWithin(app, 5_000);
    expect(last['failed']).toBe(failures.length);
    expect((await rounds(port).catch(() => undefined))).toBeUndefined(); // the ops server closed with the loop
    expect(last).toMatchObject({ written: 2, seq: s2 });
  });
});

describe('snapshot --every on a Redis a persister writes', () => {
  it('stops with exit 1 instead of retrying: no retry fixes it and its snapshots would be wrong', async () => {
    const shared = await startRedis();
    const c = new Redis({ host: shared.host, port: shared.port, maxRetriesPerRequest: 1 });
    clients.push(c);
    await c.hset(keys.checkpoint('primary'), 'seq', '1');
    const dir = await tempDir('snapshots-shared');
    const app = snapshotter(shared, dir, { keep: 2, everyMs: EVERY_MS });
    const exit = await app.exited;
    expect(exit.code).toBe(1);
    expect(app.json()).toContainEqual({ level: 'fatal', msg: 'replay failed', err: expect.stringMatching(/holds snl:checkpoint:primary/) });
    expect(app.json().filter((o) => o['msg'] === 'snapshot round failed')).toEqual([]);
    expect(files(dir)).toEqual([]);
  });
});
