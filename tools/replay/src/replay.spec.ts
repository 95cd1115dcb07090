import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { dumpState, keyFamilies, Keys } from '@feed/keys';
import { applyStreams, DEFAULT_STREAM_SETTINGS, type StreamSettings } from '@feed/messaging';
import { ConfigReader } from '@feed/config';
import { BatchApplier, legacyLastPrice, readProjectionSettings, scriptProjections, type SequencedEvent } from '@feed/projections';
import { decodeEvent, type TradeV1 } from '@feed/price-types';
import { cleanupAll, spawnApp, startNatsWithClient, startRedis, tempDir, waitFor, type JsonLine, type NatsServerHandle, type RedisServerHandle } from '@feed/testing';
import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';

jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '../../..');
const MiB = 1024 * 1024;
const SUBJECT = 'feed.md.v1.trade.BTC-USDT.binance';
const N = 300;
const RESENT = 5;

let script: string;
let nats: NatsServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const redisClients: Redis[] = [];

const settings = (prefix: string): StreamSettings => ({ ...DEFAULT_STREAM_SETTINGS, prefix, rawMaxBytes: 64 * MiB, mdMaxBytes: 64 * MiB, dlqMaxBytes: 8 * MiB });

beforeAll(async () => {
  const dir = await tempDir('replay-build');
  script = path.join(dir, 'replay.js');
  const b = spawnSync(process.execPath, ['tools/build/esbuild.mjs', 'tools/replay/src/main.ts', script], { cwd: ROOT, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`build failed (${b.status}): ${b.stderr}${b.stdout}`);
  ({ nats, nc, jsm } = await startNatsWithClient());
  js = jetstream(nc);
});

afterAll(async () => {
  for (const r of redisClients) r.disconnect();
  await cleanupAll();
});

async function redisClient(server: RedisServerHandle): Promise<Redis> {
  const r = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  redisClients.push(r);
  await r.connect();
  return r;
}

/** A canonical decimal (no exponent, no trailing zeros) from an integer number of hundredths. */
function cents(n: number): string {
  const s = `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
  return s.replace(/0+$/, '').replace(/\.$/, '');
}

/** Hand-built simulated Binance BTC-USDT trades; venue times deliberately not in publish order. */
function trades(n: number): TradeV1[] {
  const t0 = 1_760_000_000_000_000;
  return Array.from({ length: n }, (_v, i) => {
    const tradeId = String(5_000_000 + i);
    const venueTimeUs = t0 + ((i * 37) % n) * 1_000 + i; // a permutation of the slots, unique per trade
    return {
      v: 1,
      type: 'trade',
      id: `trade:binance:BTC-USDT:${tradeId}`,
      venue: 'binance',
      symbol: 'BTC-USDT',
      source: 'simulated',
      recvTimeUs: venueTimeUs + 750,
      tradeId,
      price: cents(6_000_000 + ((i * 7919) % 50_000)),
      size: `0.00${1 + (i % 9)}`,
      side: i % 2 === 0 ? 'buy' : 'sell',
      venueTimeUs,
    } satisfies TradeV1;
  });
}

interface Published {
  events: TradeV1[];
  sequenced: SequencedEvent[];
  lastSeq: number;
}

/**
 * N valid trades (msg id = event id), then the first few again without a msg id (a resend outside JetStream's
 * duplicate window), then one poison message.
 */
async function publishLog(): Promise<Published> {
  const events = trades(N);
  const sequenced: SequencedEvent[] = [];
  for (const ev of events) {
    const ack = await js.publish(SUBJECT, JSON.stringify(ev), { msgID: ev.id });
    expect(ack.duplicate).toBe(false);
    sequenced.push({ ev, seq: ack.seq });
  }
  for (const ev of events.slice(0, RESENT)) {
    const ack = await js.publish(SUBJECT, JSON.stringify(ev));
    sequenced.push({ ev, seq: ack.seq });
  }
  const poison = await js.publish(SUBJECT, '{"v":1,"type":"trade","id":"trade:binance:BTC-USDT:x","price":"-1"', { msgID: 'poison-1' });
  return { events, sequenced, lastSeq: poison.seq };
}

interface Run {
  code: number | null;
  json: JsonLine[];
  lines: string[];
}

async function runReplay(redis: RedisServerHandle, env: Record<string, string> = {}): Promise<Run> {
  const app = spawnApp({
    name: 'replay',
    script,
    env: { NODE_PATH: path.join(ROOT, 'node_modules'), NATS_URL: nats.url, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port), STARTUP_TIMEOUT_MS: '5000', ...env },
    cwd: ROOT,
  });
  const exit = await Promise.race([app.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref())]);
  if (exit === 'timeout') {
    await app.kill9();
    throw new Error(`replay did not finish within 30 s:\n${app.tail()}`);
  }
  return { code: exit.code, json: app.json(), lines: app.lines() };
}

function completion(run: Run): JsonLine {
  const done = run.json.filter((o) => o['msg'] === 'replay complete');
  expect({ count: done.length, output: run.lines }).toEqual({ count: 1, output: run.lines });
  return done[0] as JsonLine;
}

/** Everything published on a Redis channel, with a sentinel to prove the subscription saw the whole period. */
async function watchChannel(server: RedisServerHandle, channel: string): Promise<{ stop: () => Promise<string[]> }> {
  const sub = await redisClient(server);
  const got: string[] = [];
  sub.on('message', (_ch: string, m: string) => void got.push(m));
  await sub.subscribe(channel);
  return {
    stop: async () => {
      const pub = await redisClient(server);
      const sentinel = `sentinel-${Date.now()}`;
      await pub.publish(channel, sentinel);
      await waitFor(() => got.includes(sentinel), { what: `the sentinel on ${channel}` });
      await sub.unsubscribe(channel);
      return got.filter((m) => m !== sentinel);
    },
  };
}

describe('replay against real nats-server and redis-server', () => {
  let log: Published;
  let target: RedisServerHandle;
  let reference: RedisServerHandle;

  beforeAll(async () => {
    const r = await applyStreams(nc, jsm, settings('feed'));
    expect(r.created).toContain('FEED_MD');
    log = await publishLog();
    expect(log.lastSeq).toBe(N + RESENT + 1);
    target = await startRedis();
    reference = await startRedis();
  });

  it('rebuilds the projections with exact counts and publishes nothing on btc_price', async () => {
    const r = await redisClient(target);
    expect(await r.dbsize()).toBe(0);
    const watch = await watchChannel(target, Keys.legacy.channel);

    const run = await runReplay(target, { LEGACY_ALLOW_SIMULATED: 'true' });
    expect(run.code).toBe(0);
    expect(completion(run)).toEqual({
      msg: 'replay complete',
      stream: 'FEED_MD',
      group: 'primary',
      cleared: 0,
      fromSeq: 1,
      lastSeq: N + RESENT + 1,
      events: N + RESENT + 1,
      applied: N,
      poison: 1,
      ms: expect.any(Number),
      eventsPerSecond: expect.any(Number),
      cpuMs: expect.any(Number),
    });

    expect(await watch.stop()).toEqual([]);

    expect(await r.zcard('feed:trades:BTC-USDT')).toBe(N);
    const newest = [...log.events].sort((a, b) => b.venueTimeUs - a.venueTimeUs)[0] as TradeV1;
    const latest = await r.hget('feed:latest:trade:BTC-USDT:binance', 'v');
    expect(JSON.parse(latest ?? 'null')).toMatchObject({ id: newest.id, price: newest.price, venueTimeUs: newest.venueTimeUs, source: 'simulated' });
    // Legacy keys were rebuilt (simulated data explicitly allowed) from the newest trade by event time.
    expect(await r.get(Keys.legacy.lastPrice)).toBe(legacyLastPrice(newest));
    expect(await r.llen(Keys.legacy.history)).toBe(N);
    expect(await r.hget('feed:checkpoint:primary', 'seq')).toBe(String(N + RESENT)); // the poison is not applied
  });

  it('gives the same state the live projection code gives for the same log (hard rule 2)', async () => {
    // The persister's own applier, publishing as the live persister does, over the same events in log order.
    const ref = await redisClient(reference);
    const watch = await watchChannel(reference, Keys.legacy.channel);
    const applier = new BatchApplier(ref, {
      keys: new Keys('feed:'),
      group: 'primary',
      recentTradesMax: 1_000,
      dedupeTtlSeconds: 7 * 86_400 + 86_400,
      publish: true,
      legacy: { enabled: true, venue: 'binance', symbol: 'BTC-USDT', defaultVenue: 'binance', allowSimulated: true },
    }, scriptProjections(readProjectionSettings(new ConfigReader({}), new Keys('feed:'))));
    // Events as the persister sees them: decoded from the message bytes (the validator fixes the field order).
    const decoded = log.sequenced.map(({ ev, seq }) => ({ ev: decodeEvent(JSON.stringify(ev)), seq }));
    for (let i = 0; i < decoded.length; i += 64) await applier.apply(decoded.slice(i, i + 64));
    // The live path publishes one btc_price message per applied legacy trade: the replay's silence above is real.
    expect(await watch.stop()).toHaveLength(N);

    const families = keyFamilies('feed:');
    const replayed = await dumpState(await redisClient(target), families);
    const live = await dumpState(ref, families);
    expect(Object.keys(replayed).length).toBeGreaterThan(5);
    expect(replayed).toEqual(live);
  });

  it('a second replay into the same Redis applies nothing and changes nothing', async () => {
    const r = await redisClient(target);
    const before = await dumpState(r, keyFamilies('feed:'));
    const run = await runReplay(target, { LEGACY_ALLOW_SIMULATED: 'true' });
    expect(run.code).toBe(0);
    expect(completion(run)).toMatchObject({ events: N + RESENT + 1, applied: 0, poison: 1 });
    expect(await dumpState(r, keyFamilies('feed:'))).toEqual(before);
  });

  it('without LEGACY_ALLOW_SIMULATED the simulated trades never reach the legacy keys (decision 7)', async () => {
    const fresh = await startRedis();
    const run = await runReplay(fresh);
    expect(run.code).toBe(0);
    expect(completion(run)).toMatchObject({ events: N + RESENT + 1, applied: N, poison: 1 });
    const r = await redisClient(fresh);
    expect(await r.zcard('feed:trades:BTC-USDT')).toBe(N);
    expect(await r.exists(Keys.legacy.lastPrice, Keys.legacy.updateTime, Keys.legacy.history, Keys.legacy.currentExchange)).toBe(0);
  });

  it('an unreachable Redis fails with exit 1 and a JSON error line', async () => {
    const gone = await startRedis();
    await gone.stop();
    const run = await runReplay(gone, { STARTUP_TIMEOUT_MS: '1000' });
    expect(run.code).toBe(1);
    expect(run.json).toContainEqual({ level: 'fatal', msg: 'replay failed', err: expect.stringMatching(/^cannot reach Redis 127\.0\.0\.1:\d+ within 1000 ms/) });
  });
});

describe('replay edge cases', () => {
  it('an empty MD stream: exit 0, nothing applied', async () => {
    await applyStreams(nc, jsm, settings('rpe'));
    const redis = await startRedis();
    const run = await runReplay(redis, { FEED_PREFIX: 'rpe' });
    expect(run.code).toBe(0);
    expect(completion(run)).toMatchObject({ stream: 'RPE_MD', lastSeq: 0, events: 0, applied: 0, poison: 0 });
    expect(await (await redisClient(redis)).dbsize()).toBe(0);
  });

  /** A future schema version: MD holds the v1 subjects only, so v2 is added to the stream as its producer would. */
  const addV2 = async (prefix: string): Promise<void> => {
    const name = `${prefix.toUpperCase()}_MD`;
    const { config } = await jsm.streams.info(name);
    await jsm.streams.update(name, { ...config, subjects: [...(config.subjects ?? []), `${prefix}.md.v2.>`] });
  };

  it('finishes when the stream’s last message is on an MD subject outside v1 (e.g. a future v2 producer)', async () => {
    await applyStreams(nc, jsm, settings('rpv'));
    await addV2('rpv');
    const evs = trades(20);
    for (const ev of evs) await js.publish('rpv.md.v1.trade.BTC-USDT.binance', JSON.stringify(ev), { msgID: ev.id });
    await js.publish('rpv.md.v2.trade.BTC-USDT.binance', '{"v":2}', { msgID: 'v2-1' });
    const redis = await startRedis();
    const run = await runReplay(redis, { FEED_PREFIX: 'rpv', FEED_KEY_PREFIX: 'rpv:' });
    expect(run.code).toBe(0);
    expect(completion(run)).toMatchObject({ stream: 'RPV_MD', lastSeq: 20, events: 20, applied: 20, poison: 0 });
    expect(await (await redisClient(redis)).zcard('rpv:trades:BTC-USDT')).toBe(20);
  });

  it('finishes at once when the MD stream holds no v1 message at all', async () => {
    await applyStreams(nc, jsm, settings('rpo'));
    await addV2('rpo');
    await js.publish('rpo.md.v2.trade.BTC-USDT.binance', '{"v":2}', { msgID: 'v2-only' });
    const redis = await startRedis();
    const run = await runReplay(redis, { FEED_PREFIX: 'rpo', FEED_KEY_PREFIX: 'rpo:' });
    expect(run.code).toBe(0);
    expect(completion(run)).toMatchObject({ stream: 'RPO_MD', lastSeq: 0, events: 0, applied: 0, poison: 0 });
  });
});
