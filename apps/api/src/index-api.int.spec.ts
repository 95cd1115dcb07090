/**
 * Integration: GET /v1/index and /v1/index/history served by the api in-process (startApi) against a REAL
 * nats-server and redis-server. The index state is written by the real index projection (BatchApplier + the
 * index script), exactly as the persister writes it; expected bodies come from the in-memory model.
 */
import http from 'node:http';
import { ConfigReader } from '@feed/config';
import { Keys } from '@feed/keys';
import { createLogger } from '@feed/logging';
import { applyStreams, connectNats, DEFAULT_STREAM_SETTINGS, trackConnection } from '@feed/messaging';
import { createRegistry } from '@feed/metrics';
import { isoFromUs, type MarketEventV1, type QuoteV1, type StreamStatusV1, type VenueId } from '@feed/price-types';
import { BatchApplier, indexProjection, modelIndexState, readIndexSettings, type IndexValueV1 } from '@feed/projections';
import { connectRedis, createRedisClient } from '@feed/redis';
import { cleanupAll, startNats, startRedis, waitFor, type NatsServerHandle, type RedisServerHandle } from '@feed/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { readConfig } from './config';
import { startApi, type ApiHandle } from './server';

jest.setTimeout(90_000);

const PREFIX = 'test';
const keys = new Keys(`${PREFIX}:`);
const S0 = 1_795_939_300;
const NOW_US = (S0 + 30) * 1_000_000 + 250_000;

let nats: NatsServerHandle;
let redis: RedisServerHandle;
let nc: NatsConnection;
let writer: Redis;
let api: ApiHandle;
let rc: Redis;
let anc: NatsConnection;
let base: string;
let applier: BatchApplier;
const env = { INDEX_STALE_MS: '3000', INDEX_LOOKBACK_MS: '5000', INDEX_HISTORY_S: '600', INDEX_WATERMARK_DELAY_MS: '0' };
const settings = readIndexSettings(new ConfigReader(env));

function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as Record<string, unknown> }));
      })
      .on('error', reject);
  });
}

let uid = 0;
function quote(venue: VenueId, s: number, bid: string, ask: string): QuoteV1 {
  const u = String(++uid);
  const t = (S0 + s) * 1_000_000 + 400_000;
  return { v: 1, type: 'quote', id: `quote:${venue}:BTC-USD:${u}`, venue, symbol: 'BTC-USD', source: 'simulated', recvTimeUs: t + 1_000, bidPrice: bid, bidSize: '1', askPrice: ask, askSize: '1', venueTimeUs: t, updateId: u };
}
function heartbeat(venue: VenueId, s: number): StreamStatusV1 {
  const t = (S0 + s) * 1_000_000 + 900_000;
  return { v: 1, type: 'status', id: `status:${venue}:BTC-USD:quote-hb-i-${S0 + s}`, venue, symbol: 'BTC-USD', source: 'simulated', recvTimeUs: t, channel: 'quote', kind: 'heartbeat', state: 'live', ingestId: 'i', lastFrameUs: t, frames: 1 };
}

/** 30 seconds of BTC-USD quotes: coinbase and kraken every second, bitstamp only for the first 10 s. */
const events: MarketEventV1[] = [];
for (let s = 0; s < 30; s++) {
  events.push(heartbeat('coinbase', s), quote('coinbase', s, '60000', '60000.02'), quote('kraken', s, '60000.1', '60000.12'));
  if (s < 10) events.push(quote('bitstamp', s, '60000.2', '60000.22'));
}
const model = modelIndexState(events, settings).get('BTC-USD') as { watermark: number; history: IndexValueV1[] };

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  nc = await connectNats({ servers: [nats.url], name: 'index-api-spec', startupTimeoutMs: 5_000 });
  await applyStreams(nc, await jetstreamManager(nc), { ...DEFAULT_STREAM_SETTINGS, prefix: PREFIX });
  writer = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
  await writer.connect();
  applier = new BatchApplier(
    writer,
    { keys, group: 'primary', recentTradesMax: 100, dedupeTtlSeconds: 86_400, publish: false, legacy: { enabled: false, venue: 'binance', symbol: 'BTC-USDT', defaultVenue: 'binance', allowSimulated: false } },
    [indexProjection(settings, keys)],
  );
  await applier.apply(events.map((ev, i) => ({ ev, seq: i + 1 })));

  const cfg = readConfig(new ConfigReader({ FEED_PREFIX: PREFIX, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', NATS_URL: nats.url, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port), PRICE_STALE_AFTER_MS: '5000', ...env }));
  anc = await connectNats({ ...cfg.nats, startupTimeoutMs: 5_000 });
  rc = createRedisClient(cfg.redis, { name: 'api-test', failFast: true });
  rc.on('error', () => undefined);
  await connectRedis(rc, 5_000, 'redis');
  const state = trackConnection(anc);
  const log = createLogger({ service: 'api', instanceId: 'test', level: 'error', destination: { write: () => undefined } });
  api = await startApi({ cfg, js: jetstream(anc), jsm: await jetstreamManager(anc), redis: rc, natsConnected: () => state.connected(), registry: createRegistry('api', 'test'), log, nowUs: () => NOW_US });
  base = `http://127.0.0.1:${api.port}`;
});

afterAll(async () => {
  await api?.close().catch(() => undefined);
  await anc?.drain().catch(() => undefined);
  await rc?.quit().catch(() => undefined);
  await nc?.drain().catch(() => undefined);
  await writer?.quit().catch(() => undefined);
  await cleanupAll();
});

describe('GET /v1/index', () => {
  it('given computed values when the latest is asked then it is the newest value with constituents, asOf, and fresh', async () => {
    const newest = model.history[model.history.length - 1] as IndexValueV1;
    expect(newest.t).toBe(S0 + 29);
    const r = await getJson(`${base}/v1/index?symbol=BTC-USD`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ symbol: 'BTC-USD', t: S0 + 29, price: newest.price, asOf: isoFromUs((S0 + 29) * 1e6), stale: false, degraded: false, included: 2, source: 'simulated' });
    expect(r.body['price']).toBe('60000.06');
    const cons = r.body['constituents'] as Array<Record<string, unknown>>;
    expect(cons.map((c) => [c['venue'], c['included'], c['reason'], c['weight']])).toEqual([
      ['coinbase', true, null, '0.5'],
      ['kraken', true, null, '0.5'],
      ['bitstamp', false, 'no_data', '0'],
    ]);
    expect(cons[0]).toMatchObject({ kind: 'mid', price: '60000.01', venueTime: isoFromUs((S0 + 28) * 1e6 + 400_000), ageUs: 600_000 });
  });

  it('given an index symbol without values when asked then the answer says stale and has no price', async () => {
    const r = await getJson(`${base}/v1/index?symbol=BTC-USDT`);
    expect(r).toEqual({ status: 200, body: { symbol: 'BTC-USDT', price: null, asOf: null, stale: true, degraded: true, included: 0, constituents: [] } });
  });

  it.each([
    ['missing symbol', '', 400, 'bad_request'],
    ['malformed symbol', '?symbol=btc-usd', 400, 'bad_request'],
    ['symbol without an index', '?symbol=BTC-EUR', 404, 'unknown_symbol'],
  ])('given a %s when asked then it is a JSON error', async (_n, q, status, code) => {
    const r = await getJson(`${base}/v1/index${q}`);
    expect(r.status).toBe(status);
    expect((r.body['error'] as Record<string, unknown>)['code']).toBe(code);
  });
});

describe('GET /v1/index/history', () => {
  it('given a range when asked then it returns exactly the model values of those seconds, oldest first', async () => {
    const from = isoFromUs((S0 + 5) * 1e6).replace('.000000', '');
    const r = await getJson(`${base}/v1/index/history?symbol=BTC-USD&from=${from}&to=${S0 + 13}`);
    expect(r.status).toBe(200);
    const values = r.body['values'] as Array<Record<string, unknown>>;
    const want = model.history.filter((v) => v.t >= S0 + 5 && v.t <= S0 + 13);
    expect(want).toHaveLength(9);
    expect(values.map((v) => [v['t'], v['price'], v['included'], v['degraded']])).toEqual(want.map((v) => [v.t, v.price, v.included, v.degraded]));
    // bitstamp's last quote is at S0 + 9.4 s: older than the 3 s stale window from S0 + 13 on.
    expect(values.map((v) => (v['constituents'] as Array<Record<string, unknown>>)[2]?.['reason'])).toEqual([null, null, null, null, null, null, null, null, 'stale']);
  });

  it('given no range when asked then it returns the last five minutes up to now', async () => {
    const r = await getJson(`${base}/v1/index/history?symbol=BTC-USD`);
    expect((r.body['values'] as unknown[]).length).toBe(model.history.length);
    expect(r.body['to']).toBe(isoFromUs((S0 + 30) * 1e6));
  });

  it.each([
    ['from after to', `from=${S0 + 10}&to=${S0 + 5}`, 'from'],
    ['a range over an hour', `from=${S0}&to=${S0 + 3601}`, 'from'],
    ['a malformed time', 'from=yesterday', 'from'],
    ['a repeated parameter', `to=${S0}&to=${S0 + 1}`, 'to'],
  ])('given %s when asked then it is 400 on the parameter', async (_n, q, param) => {
    const r = await getJson(`${base}/v1/index/history?symbol=BTC-USD&${q}`);
    expect(r.status).toBe(400);
    expect(r.body['error']).toMatchObject({ code: 'bad_request', param });
  });
});

describe('WS /v1/stream index channel', () => {
  it('given a subscription then the newest value comes at once in a v1 index frame, and each new grid second follows', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}/v1/stream`);
    const frames: Array<{ v: number; type: string; data: Array<Record<string, unknown>> }> = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as (typeof frames)[number]));
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'index', symbol: 'BTC-USD' }));
      const indexItems = () => frames.filter((f) => f.type === 'index').flatMap((f) => f.data);
      await waitFor(() => indexItems().length >= 1, { what: 'first index frame', timeoutMs: 10_000 });
      expect(frames[0]).toEqual({ v: 1, type: 'subscribed', data: [{ channel: 'index', symbol: 'BTC-USD' }] });
      expect(indexItems()[0]).toMatchObject({ symbol: 'BTC-USD', t: S0 + 29, price: '60000.06', stale: false, source: 'simulated', asOf: isoFromUs((S0 + 29) * 1e6) });

      // One more second on the log: the watermark moves to S0 + 30 and the new value is pushed.
      const more = [heartbeat('coinbase', 30), quote('coinbase', 30, '60001', '60001.02'), quote('kraken', 30, '60001.1', '60001.12')];
      await applier.apply(more.map((ev, i) => ({ ev, seq: 10_000 + i })));
      await waitFor(() => indexItems().length >= 2, { what: 'second index frame', timeoutMs: 10_000 });
      const want = modelIndexState([...events, ...more], settings).get('BTC-USD')?.history.at(-1) as IndexValueV1;
      expect(want.t).toBe(S0 + 30);
      expect(indexItems()[1]).toMatchObject({ t: S0 + 30, price: want.price, included: want.included });
      expect(indexItems()).toHaveLength(2);
    } finally {
      ws.close();
    }
  });
});

describe('GET /v1/index/stats', () => {
  // Runs after the WebSocket test, which moved the watermark to S0 + 30 (its new quotes, at S0 + 30.4 s, count from
  // S0 + 31 on, so S0 + 30 is still 60000.06).
  it('given the values so far when asked then open/high/low/last/change come from the minute bars, exact', async () => {
    const r = await getJson(`${base}/v1/index/stats?symbol=BTC-USD`);
    expect(r.status).toBe(200);
    const bars = modelIndexState([...events, heartbeat('coinbase', 30)], settings).get('BTC-USD')?.minutes ?? [];
    expect(bars.map((b) => b.m - S0)).toEqual([-40, 20]); // S0 is 40 s past a whole minute
    expect(r.body).toMatchObject({
      symbol: 'BTC-USD',
      open: '60000.11', // three venues at S0 + 1: the middle mid
      high: '60000.11',
      low: '60000.06', // coinbase and kraken alone once bitstamp is stale
      last: '60000.06',
      change: '-0.05',
      changePct: '-0.0001', // -0.0000833 %
      seconds: 30,
      asOf: isoFromUs((S0 + 30) * 1e6),
      window: { from: isoFromUs((S0 - 40) * 1e6), to: isoFromUs((S0 + 30) * 1e6) },
      stale: false,
    });
    expect((await getJson(`${base}/v1/index/stats?symbol=BTC-USDT`)).body).toMatchObject({ symbol: 'BTC-USDT', open: null, stale: true, window: null });
    expect((await getJson(`${base}/v1/index/stats`)).status).toBe(400);
  });
});
