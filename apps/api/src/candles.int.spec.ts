/**
 * Integration: GET /v1/candles and /v1/stats of the api in-process against a REAL nats-server and redis-server.
 * The bars are written by the real apply script (BatchApplier, as the persister does) from trades and heartbeats
 * with fixed event times; expected answers are computed here by hand from those trades.
 */
import http from 'node:http';
import { ConfigReader } from '@feed/config';
import { Keys } from '@feed/keys';
import { createLogger } from '@feed/logging';
import { applyStreams, connectNats, DEFAULT_STREAM_SETTINGS, trackConnection } from '@feed/messaging';
import { createRegistry } from '@feed/metrics';
import type { StreamStatusV1, TradeV1, VenueId } from '@feed/price-types';
import { BatchApplier, DEFAULT_CANDLE_SETTINGS } from '@feed/projections';
import { connectRedis, createRedisClient } from '@feed/redis';
import { cleanupAll, startNats, startRedis, type NatsServerHandle, type RedisServerHandle } from '@feed/testing';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { waitFor } from '@feed/testing';
import { readConfig } from './config';
import { startApi, type ApiHandle } from './server';

jest.setTimeout(90_000);

const PREFIX = 'cdl';
const keys = new Keys(`${PREFIX}:`);
const SYM = 'BTC-USDT';
/** 2026-11-29T08:00:00Z */
const M0 = 1_795_939_200;

let nats: NatsServerHandle;
let redis: RedisServerHandle;
let nc: NatsConnection;
let writer: Redis;
let api: ApiHandle;
let base: string;
let stopApi: () => Promise<void>;

let nextId = 1;
function trade(venue: VenueId, atUs: number, price: string, size: string, recvDelayUs = 1_000): TradeV1 {
  const id = String(nextId++);
  return { v: 1, type: 'trade', id: `trade:${venue}:${SYM}:${id}`, venue, symbol: SYM, source: 'live', recvTimeUs: atUs + recvDelayUs, tradeId: id, price, size, side: 'buy', venueTimeUs: atUs };
}

function heartbeat(venue: VenueId, recvTimeUs: number): StreamStatusV1 {
  return { v: 1, type: 'status', id: `status:${venue}:${SYM}:hb-${recvTimeUs}`, venue, symbol: SYM, source: 'live', recvTimeUs, channel: 'trade', kind: 'heartbeat', state: 'live', ingestId: 'ingest-a', lastFrameUs: recvTimeUs - 10, frames: 1 };
}

function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${path}`, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as Record<string, unknown> }));
      })
      .on('error', reject);
  });
}

const iso = (sec: number) => `${new Date(sec * 1000).toISOString().slice(0, 19)}.000000Z`;

// binance: minute 0 two trades, minute 1 nothing, minute 2 one trade; okx: one trade in minute 1.
const b1 = trade('binance', M0 * 1e6 + 5_000_000, '60000', '0.5');
const b2 = trade('binance', M0 * 1e6 + 40_000_000, '60100.5', '1.5');
const o1 = trade('okx', (M0 + 70) * 1e6, '59000', '2');
const b3 = trade('binance', (M0 + 130) * 1e6, '59900', '1');
// the binance watermark: 4 min 10 s (bars up to 08:04 closed: end + 2 s close delay)
const hbB = heartbeat('binance', (M0 + 250) * 1e6);
const hbO = heartbeat('okx', (M0 + 200) * 1e6);

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  nc = await connectNats({ servers: [nats.url], name: 'candles-spec', startupTimeoutMs: 5_000 });
  await applyStreams(nc, await jetstreamManager(nc), { ...DEFAULT_STREAM_SETTINGS, prefix: PREFIX });
  writer = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
  await writer.connect();
  const applier = new BatchApplier(writer, {
    keys,
    group: 'primary',
    recentTradesMax: 100,
    dedupeTtlSeconds: 86_400,
    publish: false,
    legacy: { enabled: false, venue: 'binance', symbol: SYM, defaultVenue: 'binance', allowSimulated: false },
    candles: DEFAULT_CANDLE_SETTINGS,
  });
  await applier.apply([b1, b2, o1, b3, hbB, hbO].map((ev, i) => ({ ev, seq: i + 1 })));

  const cfg = readConfig(new ConfigReader({ FEED_PREFIX: PREFIX, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', NATS_URL: nats.url, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port), API_SYMBOLS: 'BTC-USDT,BTC-USD', WS_POLL_MS: '50' }));
  const log = createLogger({ service: 'api', instanceId: 'test', level: 'warn', destination: { write: () => undefined } });
  const anc = await connectNats({ ...cfg.nats, startupTimeoutMs: 5_000 });
  const rc = createRedisClient(cfg.redis, { name: 'api-candles-test', failFast: true });
  rc.on('error', () => undefined);
  await connectRedis(rc, 5_000, 'redis');
  const state = trackConnection(anc);
  api = await startApi({ cfg, js: jetstream(anc), jsm: await jetstreamManager(anc), redis: rc, natsConnected: () => state.connected(), registry: createRegistry('api', 'test'), log });
  base = `http://127.0.0.1:${api.port}`;
  stopApi = async () => {
    await api.close();
    await anc.drain();
    await rc.quit().catch(() => rc.disconnect());
  };
});

afterAll(async () => {
  await stopApi?.().catch(() => undefined);
  await nc?.drain().catch(() => undefined);
  await writer?.quit().catch(() => undefined);
  await cleanupAll();
});

describe('GET /v1/candles', () => {
  it('given a venue and a range then its 1m bars come back with the empty minute flat at the previous close', async () => {
    const r = await get(`/v1/candles?symbol=${SYM}&venue=binance&interval=1m&from=${iso(M0)}&to=${iso(M0 + 300)}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ symbol: SYM, venue: 'binance', interval: '1m', asOf: iso(M0 + 250), closeDelayMs: 2000, finalityMs: 60000 });
    const c = r.body['candles'] as Array<Record<string, unknown>>;
    expect(c).toEqual([
      { start: iso(M0), end: iso(M0 + 60), open: '60000', high: '60100.5', low: '60000', close: '60100.5', volume: '2', vwap: '60075.375', trades: 2, firstTradeTime: iso(M0 + 5), lastTradeTime: iso(M0 + 40), empty: false, closed: true, final: true, revision: 0, lateTrades: 0 },
      { start: iso(M0 + 60), end: iso(M0 + 120), open: '60100.5', high: '60100.5', low: '60100.5', close: '60100.5', volume: '0', vwap: null, trades: 0, firstTradeTime: null, lastTradeTime: null, empty: true, closed: true, final: true, revision: 0, lateTrades: 0 },
      expect.objectContaining({ start: iso(M0 + 120), open: '59900', close: '59900', volume: '1', vwap: '59900', trades: 1, empty: false, closed: true, final: true }),
      expect.objectContaining({ start: iso(M0 + 180), open: '59900', empty: true, closed: true, final: false }),
    ]);
    // 08:04 is not closed (watermark 08:04:10 < 08:05:02) and has no trade: not shown
  });

  it('given no venue then the composite merges every venue', async () => {
    const r = await get(`/v1/candles?symbol=${SYM}&interval=5m&from=${M0 * 1000}&to=${(M0 + 300) * 1000}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ venue: null, asOf: iso(M0 + 250) });
    // notional 60000*0.5 + 60100.5*1.5 + 59000*2 + 59900*1 = 298050.75 over volume 5
    expect(r.body['candles']).toEqual([expect.objectContaining({ start: iso(M0), open: '60000', high: '60100.5', low: '59000', close: '59900', volume: '5', vwap: '59610.15', trades: 4, closed: false })]);
  });

  it('given no range then the newest bars up to the watermark are served (limit bars)', async () => {
    const r = await get(`/v1/candles?symbol=${SYM}&venue=binance&interval=1m&limit=3`);
    expect((r.body['candles'] as Array<{ start: string }>).map((c) => c.start)).toEqual([iso(M0 + 120), iso(M0 + 180)]);
  });

  it.each([
    ['interval=2m', 400, 'interval'],
    ['interval=1m&venue=ftx', 400, 'venue'],
    ['interval=1s&from=2026-11-29T08:00:00Z&to=2026-11-29T09:00:00Z', 400, 'to'],
    ['interval=1m&from=yesterday', 400, 'from'],
    ['interval=1m&from=2026-11-29T08:05:00Z&to=2026-11-29T08:00:00Z', 400, 'from'],
    ['interval=1m&limit=0', 400, 'limit'],
    ['interval=1m&interval=5m', 400, 'interval'],
  ])('given %s then %i with a JSON error naming the parameter', async (qs, status, param) => {
    const r = await get(`/v1/candles?symbol=${SYM}&${qs}`);
    expect(r.status).toBe(status);
    expect(r.body).toMatchObject({ error: { code: 'bad_request', param } });
  });

  it('given a symbol not served then 404', async () => {
    const r = await get('/v1/candles?symbol=ETH-USDT&interval=1m');
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ error: { code: 'unknown_symbol' } });
  });
});

describe('GET /v1/stats', () => {
  it('given a venue then its rolling 24 h figures from the 1m bars against its watermark', async () => {
    const r = await get(`/v1/stats?symbol=${SYM}&venue=binance`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ symbol: SYM, venue: 'binance', asOf: iso(M0 + 250), from: iso(M0 + 240 - 86_400), to: iso(M0 + 300), open: '60000', high: '60100.5', low: '59900', last: '59900', volume: '3', vwap: '60016.916666666667', trades: 3, change: '-100', changePct: '-0.1667' });
  });

  it('given no venue then the composite', async () => {
    const r = await get(`/v1/stats?symbol=${SYM}`);
    expect(r.body).toMatchObject({ venue: null, open: '60000', low: '59000', last: '59900', volume: '5', trades: 4 });
  });

  it('given a symbol without data then the figures are null', async () => {
    const r = await get('/v1/stats?symbol=BTC-USD');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ symbol: 'BTC-USD', asOf: null, open: null, volume: '0' });
  });
});

describe('WebSocket /v1/stream polled channels', () => {
  interface Frame {
    v: number;
    type: string;
    data: Array<Record<string, unknown>>;
  }
  async function open(): Promise<{ ws: WebSocket; frames: Frame[] }> {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/v1/stream`);
    const frames: Frame[] = [];
    ws.on('message', (d: Buffer) => void frames.push(JSON.parse(d.toString('utf8')) as Frame));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return { ws, frames };
  }

  it('given a candles subscription then batched v1 frames carry the current and previous bar with seq, source, stale, asOf', async () => {
    const { ws, frames } = await open();
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'candles', symbol: SYM, venue: 'binance', interval: '1m' }));
    await waitFor(() => frames.find((f) => f.type === 'candles'), { what: 'a frame', timeoutMs: 10_000 });
    expect(frames[0]).toMatchObject({ v: 1, type: 'subscribed', data: [{ channel: 'candles', symbol: SYM, venue: 'binance', interval: '1m' }] });
    const f = frames.find((x) => x.type === 'candles') as Frame;
    // watermark 08:04:10: the 08:04 bar is open without trades (not shown), 08:03 is an empty closed bar
    expect(f.data).toEqual([expect.objectContaining({ channel: 'candles', symbol: SYM, venue: 'binance', interval: '1m', start: iso(M0 + 180), empty: true, open: '59900', source: 'live', stale: true, asOf: iso(M0 + 250), seq: expect.any(Number) })]);
    ws.close();
  });

  it('given a stats subscription for the composite then a stats frame with the 24 h figures', async () => {
    const { ws, frames } = await open();
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'stats', symbol: SYM }));
    await waitFor(() => frames.find((f) => f.type === 'stats'), { what: 'a frame', timeoutMs: 10_000 });
    const f = frames.find((x) => x.type === 'stats') as Frame;
    expect(f.data).toEqual([expect.objectContaining({ channel: 'stats', symbol: SYM, venue: null, open: '60000', last: '59900', volume: '5', trades: 4, source: 'live' })]);
    ws.close();
  });

  it('given bad channel parameters then an error item and the connection stays open', async () => {
    const { ws, frames } = await open();
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'candles', symbol: SYM, interval: '2m' }));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'stats', symbol: SYM, venue: 'ftx' }));
    ws.send(JSON.stringify({ op: 'ping' }));
    await waitFor(() => frames.find((f) => f.type === 'pong'), { what: 'a frame', timeoutMs: 10_000 });
    expect(frames.filter((f) => f.type === 'error').map((f) => f.data[0]?.['code'])).toEqual(['bad_params', 'bad_params']);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});
