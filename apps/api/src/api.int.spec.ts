/**
 * Integration: the api in-process (startApi, HTTP_PORT=0) against a REAL nats-server (JetStream) and a REAL
 * redis-server from @feed/testing. Redis state is written the way the persister writes it (keys from Keys);
 * live push is exercised by publishing TradeV1 events to the MD stream. Waits are conditions with deadlines.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { ConfigReader } from '@feed/config';
import { Keys } from '@feed/keys';
import { createLogger } from '@feed/logging';
import { applyStreams, connectNats, DEFAULT_STREAM_SETTINGS, Subjects, trackConnection } from '@feed/messaging';
import { createRegistry, type Counter } from '@feed/metrics';
import { isoFromUs, nowUs, quoteHashId, usFromIso, type StreamStatusV1, type TradeV1 } from '@feed/price-types';
import { connectRedis, createRedisClient } from '@feed/redis';
import { cleanupAll, startNats, startRedis, waitFor, type NatsServerHandle, type RedisServerHandle } from '@feed/testing';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { WebSocket, type ClientOptions } from 'ws';
import { readConfig } from './config';
import { startApi, type ApiHandle } from './server';

jest.setTimeout(90_000);

const PREFIX = 'test';
const keys = new Keys(`${PREFIX}:`);
const subjects = new Subjects(PREFIX);

let nats: NatsServerHandle;
let redis: RedisServerHandle;
let nc: NatsConnection;
let js: JetStreamClient;
let writer: Redis;
let main: TestApi;

// ---------------------------------------------------------------------------------------------------------------
// helpers

interface TestApi {
  api: ApiHandle;
  base: string;
  wsUrl: string;
  lines: string[];
  stop(): Promise<void>;
}

async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const cfg = readConfig(
    new ConfigReader({
      FEED_PREFIX: PREFIX,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      NATS_URL: nats.url,
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(redis.port),
      API_SYMBOLS: 'BTC-USDT,BTC-USD,BTC-EUR',
      ...env,
    }),
  );
  const lines: string[] = [];
  const log = createLogger({ service: 'api', instanceId: 'test', level: 'info', destination: { write: (s: string) => void lines.push(s) } });
  const anc = await connectNats({ ...cfg.nats, startupTimeoutMs: 5_000 });
  const rc = createRedisClient(cfg.redis, { name: 'api-test', failFast: true });
  rc.on('error', () => undefined);
  await connectRedis(rc, 5_000, 'redis');
  const state = trackConnection(anc);
  const api = await startApi({ cfg, js: jetstream(anc), jsm: await jetstreamManager(anc), redis: rc, natsConnected: () => state.connected(), registry: createRegistry('api', 'test'), log });
  return {
    api,
    base: `http://127.0.0.1:${api.port}`,
    wsUrl: `ws://127.0.0.1:${api.port}/v1/stream`,
    lines,
    stop: async () => {
      await api.close();
      await anc.drain();
      await rc.quit().catch(() => rc.disconnect());
    },
  };
}

interface HttpRes {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(url: string): Promise<HttpRes> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await get(url);
  return { status: r.status, body: JSON.parse(r.body) as Record<string, unknown> };
}

async function count<T extends string>(c: Counter<T>, labels: Partial<Record<T, string>> = {}): Promise<number> {
  const m = await c.get();
  const hit = m.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k as T] === val));
  return hit?.value ?? 0;
}

/** Reads one sample from Prometheus exposition text. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

let nextTradeId = 1_000_000;

function mkTrade(venue = 'binance', symbol = 'BTC-USDT', over: Partial<TradeV1> = {}): TradeV1 {
  const tradeId = String(nextTradeId++);
  const t = nowUs();
  return {
    v: 1,
    id: `trade:${venue}:${symbol}:${tradeId}`,
    venue: venue as TradeV1['venue'],
    symbol,
    source: 'simulated',
    recvTimeUs: t,
    type: 'trade',
    tradeId,
    price: '97000.5',
    size: '0.0125',
    side: 'buy',
    venueTimeUs: t - 1_500,
    ...over,
  };
}

/** Publishes in order over one connection (pipelined); resolves with each event's MD stream sequence. */
async function publish(trades: TradeV1[], msgIdSuffix = ''): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < trades.length; i += 1000) {
    const acks = await Promise.all(
      trades.slice(i, i + 1000).map((t) => js.publish(subjects.md('trade', t.symbol, t.venue), JSON.stringify(t), { msgID: `${t.id}${msgIdSuffix}` })),
    );
    seqs.push(...acks.map((a) => a.seq));
  }
  return seqs;
}

interface Frame {
  v: number;
  type: string;
  data: Array<Record<string, unknown>>;
}

class Client {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.frames.push(JSON.parse(String(d)) as Frame));
    ws.on('close', (code, reason) => (this.closed = { code, reason: String(reason) }));
    ws.on('error', () => undefined);
  }

  static open(url: string, opts: ClientOptions = {}): Promise<Client> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, opts);
      const c = new Client(ws);
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  trades(symbol?: string): Array<Record<string, unknown>> {
    return this.frames.filter((f) => f.type === 'trades').flatMap((f) => f.data.filter((d) => symbol === undefined || d['symbol'] === symbol));
  }

  of(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<true> {
    return waitFor(() => pred() || undefined, { what, timeoutMs, intervalMs: 10 });
  }

  waitClose(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return waitFor(() => this.closed, { what: 'client closed', timeoutMs, intervalMs: 10 });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }
}

async function subscribed(url: string, symbol: string, fromSeq?: number): Promise<Client> {
  const c = await Client.open(url);
  c.send({ op: 'subscribe', channel: 'trades', symbol, ...(fromSeq !== undefined ? { fromSeq } : {}) });
  await c.waitFor(() => c.of('subscribed').length === 1, 'subscribed frame');
  return c;
}

// ---------------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  [nats, redis] = await Promise.all([startNats(), startRedis()]);
  nc = await connectNats({ servers: [nats.url], name: 'api-spec', startupTimeoutMs: 5_000 });
  js = jetstream(nc);
  await applyStreams(nc, await jetstreamManager(nc), { ...DEFAULT_STREAM_SETTINGS, prefix: PREFIX });
  writer = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
  await writer.connect();
  main = await startTestApi();
});

afterAll(async () => {
  await main?.stop().catch(() => undefined);
  await nc?.drain().catch(() => undefined);
  await writer?.quit().catch(() => undefined);
  await cleanupAll();
});

// ---------------------------------------------------------------------------------------------------------------

describe('start-up', () => {
  it('logs the listening port as a JSON line', () => {
    const line = main.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((o) => o['msg'] === 'api listening');
    expect(line).toMatchObject({ msg: 'api listening', port: main.api.port });
    expect(main.api.port).toBeGreaterThan(0);
  });
});

describe('REST market data', () => {
  const SYM = 'BTC-USD';
  const sortKey = (t: TradeV1) => `${String(t.venueTimeUs).padStart(16, '0')}:${t.venue}:${t.tradeId.padStart(20, '0')}`;
  const status = (venue: string, ingestId: string, state: StreamStatusV1['state'], recvTimeUs: number): StreamStatusV1 => ({
    v: 1,
    id: `status:${venue}:${SYM}:${ingestId}:${recvTimeUs}`,
    venue: venue as StreamStatusV1['venue'],
    symbol: SYM,
    source: 'live',
    recvTimeUs,
    type: 'status',
    channel: 'trade',
    kind: 'heartbeat',
    state,
    ingestId,
    lastFrameUs: recvTimeUs - 1000,
    frames: 5,
  });
  let coinbase: TradeV1;
  let kraken: TradeV1;
  let gapAt = 0;
  const older: TradeV1[] = [];

  beforeAll(async () => {
    const now = nowUs();
    coinbase = mkTrade('coinbase', SYM, { source: 'live', price: '96500.12', side: 'sell', venueTimeUs: now - 800_123, recvTimeUs: now - 700_456 });
    kraken = mkTrade('kraken', SYM, { source: 'live', price: '96499.9', venueTimeUs: now - 60_000_000, recvTimeUs: now - 59_000_000 });
    for (let i = 0; i < 5; i++) older.push(mkTrade('coinbase', SYM, { venueTimeUs: now - 10_000_000 + i, recvTimeUs: now - 9_000_000 }));
    const p = writer.multi();
    for (const t of [coinbase, kraken]) p.hset(keys.latestTrade(SYM, t.venue), 'k', sortKey(t), 'v', JSON.stringify(t));
    for (const t of [coinbase, kraken, ...older]) p.zadd(keys.recentTrades(SYM), t.venueTimeUs, `${sortKey(t)}|${JSON.stringify(t)}`);
    // coinbase: two ingest instances, the current one live; kraken: no status at all, trade a minute old.
    const hb = status('coinbase', 'ingest-b', 'live', now - 300_000);
    const old = status('coinbase', 'ingest-a', 'down', now - 5_000_000);
    p.hset(keys.status(SYM, 'coinbase', 'trade'), 'ingest-b', JSON.stringify(hb), 'ingest-b:t', String(hb.recvTimeUs), 'ingest-a', JSON.stringify(old), 'ingest-a:t', String(old.recvTimeUs));
    // coinbase also has a best bid/ask (hash-form quote id: Coinbase's ticker gives no update id).
    const qTime = now - 500_000;
    const q = { v: 1, type: 'quote', id: `quote:coinbase:${SYM}:${quoteHashId(qTime, '96500.1', '0.5', '96500.2', '0.75')}`, venue: 'coinbase', symbol: SYM, source: 'live', recvTimeUs: qTime + 900, bidPrice: '96500.1', bidSize: '0.5', askPrice: '96500.2', askSize: '0.75', venueTimeUs: qTime };
    p.hset(keys.latestQuote(SYM, 'coinbase'), 'k', String(qTime), 'v', JSON.stringify(q));
    // kraken trades: one gap, detected then repaired (records as the completeness projection writes them).
    gapAt = now - 2_000_000;
    const rec = (st: string, extra: object) => JSON.stringify({ k: `gap:kraken:${SYM}:trade-10-14`, s: st, a: '10', b: '14', m: 3, d: gapAt, by: 'trade_id', ...extra });
    p.zadd(keys.completeness(SYM, 'kraken', 'trade'), gapAt, rec('detected', {}), gapAt, rec('repaired', { n: 3 }));
    await p.exec();
  });

  it('GET /v1/prices/latest returns each venue with state, stale, asOf and ISO µs times', async () => {
    const r = await getJson(`${main.base}/v1/prices/latest?symbol=${SYM}`);
    expect(r.status).toBe(200);
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
    const venues = r.body['venues'] as Array<Record<string, unknown>>;
    expect(venues.map((v) => v['venue'])).toEqual(['coinbase', 'kraken']);
    const [cb, kr] = venues as [Record<string, unknown>, Record<string, unknown>];
    expect(cb).toEqual({
      venue: 'coinbase',
      price: '96500.12',
      size: '0.0125',
      side: 'sell',
      tradeId: coinbase.tradeId,
      venueTime: expect.stringMatching(iso),
      recvTime: expect.stringMatching(iso),
      asOf: expect.stringMatching(iso),
      stale: false,
      state: 'live',
      source: 'live',
      quote: { bidPrice: '96500.1', bidSize: '0.5', askPrice: '96500.2', askSize: '0.75', venueTime: expect.stringMatching(iso) },
    });
    expect(usFromIso(cb['venueTime'] as string)).toBe(coinbase.venueTimeUs);
    expect(usFromIso(cb['recvTime'] as string)).toBe(coinbase.recvTimeUs);
    // The live heartbeat is newer than the trade: the price stands as of the heartbeat.
    expect(cb['asOf'] as string > (cb['venueTime'] as string)).toBe(true);
    expect(kr).toMatchObject({ venue: 'kraken', price: '96499.9', state: 'unknown', stale: true, asOf: kr['venueTime'], quote: null });
    expect(r.body['symbol']).toBe(SYM);
    expect(r.body['asOf']).toBe(cb['asOf']);
    expect(r.body['stale']).toBe(false);
  });

  it('GET /v1/venues lists every stream with its best state across ingests, staleness and each ingest view', async () => {
    const r = await getJson(`${main.base}/v1/venues`);
    expect(r.status).toBe(200);
    const streams = r.body['streams'] as Array<Record<string, unknown>>;
    const mine = streams.filter((x) => x['symbol'] === SYM);
    expect(mine.map((x) => [x['venue'], x['channel']])).toEqual([
      ['coinbase', 'trade'],
      ['coinbase', 'quote'],
      ['kraken', 'trade'],
    ]);
    const [cbTrade, cbQuote, krTrade] = mine as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    // Two ingests: the current one live, an old one down and silent for long: the stream is live, not stale.
    expect(cbTrade).toMatchObject({ state: 'live', stale: false, lastEventTime: isoFromUs(coinbase.venueTimeUs) });
    expect((cbTrade['ingests'] as Array<Record<string, unknown>>).map((i) => [i['ingestId'], i['state'], i['frames']])).toEqual([
      ['ingest-a', 'down', 5],
      ['ingest-b', 'live', 5],
    ]);
    // No status for the quote channel or for kraken: stale is never silent, the state is unknown.
    expect(cbQuote).toMatchObject({ state: 'unknown', stale: true, ingests: [] });
    expect(krTrade).toMatchObject({ state: 'unknown', stale: true, lastEventTime: isoFromUs(kraken.venueTimeUs), ingests: [] });
    // Both states per stream: completeness beside the connection state.
    const none = { gapsDetected: 0, gapsRepaired: 0, gapsUnrepaired: 0, gapsOpen: 0, missingTrades: 0, repairedTrades: 0, lastGapTime: null };
    expect(cbTrade['completeness']).toEqual({ state: 'complete', detectedBy: 'sequence', ...none });
    expect(cbQuote['completeness']).toEqual({ state: 'untracked', detectedBy: null, ...none });
    expect(krTrade['completeness']).toEqual({ state: 'complete', detectedBy: 'trade_id', gapsDetected: 1, gapsRepaired: 1, gapsUnrepaired: 0, gapsOpen: 0, missingTrades: 0, repairedTrades: 3, lastGapTime: isoFromUs(gapAt) });
  });

  it('GET /v1/trades returns what Redis holds, newest first, limited', async () => {
    const r = await getJson(`${main.base}/v1/trades?symbol=${SYM}&limit=3`);
    expect(r.status).toBe(200);
    const trades = r.body['trades'] as Array<Record<string, unknown>>;
    expect(trades.map((t) => t['tradeId'])).toEqual([coinbase.tradeId, older[4]?.tradeId, older[3]?.tradeId]);
    expect(trades[0]).toMatchObject({ ...coinbase, venueTime: expect.stringMatching(/\.\d{6}Z$/), recvTime: expect.stringMatching(/\.\d{6}Z$/) });
    const all = await getJson(`${main.base}/v1/trades?symbol=${SYM}`);
    expect((all.body['trades'] as unknown[]).length).toBe(7);
  });

  it('a known symbol without data answers 200 with no venues, stale', async () => {
    const r = await getJson(`${main.base}/v1/prices/latest?symbol=BTC-EUR`);
    expect(r).toEqual({ status: 200, body: { symbol: 'BTC-EUR', asOf: null, stale: true, venues: [] } });
  });

  it('rejects bad parameters with 400, unknown symbols and routes with 404, counting each by reason', async () => {
    const before = await get(`${main.base}/metrics`);
    const cases: Array<[string, number, string, string | undefined]> = [
      ['/v1/prices/latest', 400, 'bad_request', 'symbol'],
      ['/v1/prices/latest?symbol=btc', 400, 'bad_request', 'symbol'],
      ['/v1/trades?symbol=BTC-USD&limit=0', 400, 'bad_request', 'limit'],
      ['/v1/trades?symbol=BTC-USD&limit=abc', 400, 'bad_request', 'limit'],
      ['/v1/trades?symbol=BTC-USD&symbol=BTC-USDT', 400, 'bad_request', 'symbol'],
      ['/v1/prices/latest?symbol=ETH-USDT', 404, 'unknown_symbol', 'symbol'],
      ['/v1/nope', 404, 'not_found', undefined],
    ];
    for (const [path, status, code, param] of cases) {
      const r = await getJson(`${main.base}${path}`);
      expect([path, r.status]).toEqual([path, status]);
      expect(r.body).toEqual({ error: { code, message: expect.any(String), ...(param ? { param } : {}) } });
    }
    const after = (await get(`${main.base}/metrics`)).body;
    const delta = (reason: string) => sample(after, 'feed_api_rejected_requests_total', { reason }) - sample(before.body, 'feed_api_rejected_requests_total', { reason });
    expect(delta('bad_request')).toBe(5);
    expect(delta('unknown_symbol')).toBe(1);
    expect(delta('not_found')).toBe(1);
    // Durations are labelled by route template, never by raw path.
    expect(after).toMatch(/feed_api_http_request_duration_seconds_count\{[^}]*route="\/v1\/prices\/latest"[^}]*status="400"/);
    expect(after).toMatch(/feed_api_http_request_duration_seconds_count\{[^}]*route="unmatched"[^}]*status="404"/);
    expect(after).not.toMatch(/route="\/v1\/nope"/);
  });
});

describe('ops endpoints and the legacy health surface', () => {
  it('/health, /ready and the legacy aliases answer JSON; /metrics is Prometheus text', async () => {
    for (const p of ['/health', '/', '/live', '/healthz', '/ping']) {
      const r = await getJson(`${main.base}${p}`);
      expect([p, r.status, r.body['status']]).toEqual([p, 200, 'up']);
      expect(r.body['checks']).toEqual({ event_loop: true, live_consumer: true });
    }
    const ready = await getJson(`${main.base}/ready`);
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', checks: { nats: true, redis: true } } });
    const m = await get(`${main.base}/metrics`);
    expect(m.status).toBe(200);
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toMatch(/# TYPE feed_api_ws_clients gauge/);
    const rs = await getJson(`${main.base}/redis/status`);
    expect(rs).toEqual({ status: 200, body: { connected: true, host: '127.0.0.1', port: redis.port, role: 'primary' } });
  });

  it('serves the dashboard with a CSP that allows its separate script, and hides x-powered-by', async () => {
    const page = await get(`${main.base}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['x-powered-by']).toBeUndefined();
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.body).toContain('<script src="/dashboard.js"></script>');
    expect(page.body).toContain('SIMULATED DATA');
    expect(page.body).toContain('<option value="BTC-EUR">');
    expect(page.body).not.toMatch(/<script>/);
    const js = await get(`${main.base}/dashboard.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(() => new Function(js.body)).not.toThrow();
  });
});

describe('WebSocket live push', () => {
  it('delivers every published trade exactly once, in order, in batched v1 frames', async () => {
    const c = await subscribed(main.wsUrl, 'BTC-USDT');
    const other = await subscribed(main.wsUrl, 'BTC-USD');
    const trades: TradeV1[] = [];
    for (let i = 0; i < 600; i++) trades.push(mkTrade(i % 3 === 0 ? 'okx' : 'binance', i % 10 === 9 ? 'BTC-USD' : 'BTC-USDT'));
    const seqs = await publish(trades);
    const want = trades.map((t, i) => ({ t, seq: seqs[i] as number })).filter((x) => x.t.symbol === 'BTC-USDT');
    await c.waitFor(() => c.trades().length >= want.length, `${want.length} trades`);
    await other.waitFor(() => other.trades().length >= 60, '60 BTC-USD trades');
    const got = c.trades();
    expect(got.map((g) => g['id'])).toEqual(want.map((w) => w.t.id));
    expect(got.map((g) => g['seq'])).toEqual(want.map((w) => w.seq));
    expect(got[0]).toEqual({
      ...want[0]?.t,
      seq: want[0]?.seq,
      venueTime: expect.stringMatching(/^\d{4}-.*\.\d{6}Z$/),
      recvTime: expect.stringMatching(/\.\d{6}Z$/),
      stale: false,
      asOf: got[0]?.['venueTime'],
    });
    for (const f of c.frames) {
      expect(Object.keys(f)).toEqual(['v', 'type', 'data']);
      expect(f.v).toBe(1);
      expect(Array.isArray(f.data)).toBe(true);
    }
    const tradeFrames = c.of('trades');
    expect(tradeFrames.length).toBeLessThan(got.length / 3);
    expect(other.trades().map((g) => g['symbol'])).toEqual(new Array(60).fill('BTC-USD'));
    c.close();
    other.close();
  });

  it('resume from a sequence replays exactly the missed items, then continues live', async () => {
    const c1 = await subscribed(main.wsUrl, 'BTC-USDT');
    const first = await publish([mkTrade(), mkTrade(), mkTrade()]);
    await c1.waitFor(() => c1.trades().length === 3, 'first 3');
    const lastSeen = c1.trades()[2]?.['seq'] as number;
    expect(lastSeen).toBe(first[2]);
    c1.close();
    await c1.waitClose();

    const missed = [mkTrade(), mkTrade('okx'), mkTrade('binance', 'BTC-USD'), mkTrade()];
    const missedSeqs = await publish(missed);
    await waitFor(() => main.api.hub.lastSeq >= (missedSeqs[3] as number) || undefined, { what: 'api read the missed trades' });

    const c2 = await subscribed(main.wsUrl, 'BTC-USDT', lastSeen);
    expect(c2.of('subscribed')[0]?.data).toEqual([{ channel: 'trades', symbol: 'BTC-USDT', fromSeq: lastSeen, lastSeq: main.api.hub.lastSeq }]);
    const live = await publish([mkTrade()]);
    await c2.waitFor(() => c2.trades().length >= 4, 'replay + live');
    expect(c2.trades().map((t) => t['seq'])).toEqual([missedSeqs[0], missedSeqs[1], missedSeqs[3], live[0]]);
    expect(c2.of('error')).toEqual([]);
    c2.close();
  });

  it('a trade published twice on MD (different msg ids, as a late venue resend) is pushed once and counted', async () => {
    const c = await subscribed(main.wsUrl, 'BTC-USDT');
    const before = await count(main.api.metrics.liveDuplicates, { venue: 'binance' });
    const t = mkTrade();
    const [s1] = await publish([t]);
    const [s2] = await publish([t], ':resend');
    expect(s2).toBeGreaterThan(s1 as number); // both are on the log: JetStream did not dedupe them
    const marker = mkTrade('okx');
    await publish([marker]);
    await c.waitFor(() => c.trades().some((x) => x['id'] === marker.id), 'marker trade');
    expect(c.trades().map((x) => x['id'])).toEqual([t.id, marker.id]);
    expect((await count(main.api.metrics.liveDuplicates, { venue: 'binance' })) - before).toBe(1);
    c.close();
  });

  it('resume older than the ring: resume_unavailable with oldestSeq, then live', async () => {
    const small = await startTestApi({ WS_RESUME_WINDOW: '5' });
    try {
      await publish(Array.from({ length: 8 }, () => mkTrade()));
      await waitFor(() => small.api.hub.ring.length === 5 || undefined, { what: 'ring full' });
      const c = await subscribed(small.wsUrl, 'BTC-USDT', 1);
      await c.waitFor(() => c.of('error').length === 1, 'error frame');
      expect(c.of('error')[0]?.data[0]).toMatchObject({ code: 'resume_unavailable', oldestSeq: small.api.hub.ring.coverageStart });
      const [s] = await publish([mkTrade()]);
      await c.waitFor(() => c.trades().length === 1, 'live trade');
      expect(c.trades()[0]?.['seq']).toBe(s);
      c.close();
    } finally {
      await small.stop();
    }
  });
});

describe('WebSocket protocol enforcement', () => {
  const closes: Array<[string, string | Buffer, number, string]> = [
    ['malformed JSON', '{"op":', 1007, 'bad_json'],
    ['a non-object', '[1,2]', 1007, 'not_object'],
    ['an unknown op', '{"op":"drop_tables"}', 1008, 'unknown_op'],
    ['a malformed symbol', '{"op":"subscribe","channel":"trades","symbol":"btc/usdt"}', 1008, 'bad_symbol'],
    ['a bad fromSeq', '{"op":"subscribe","channel":"trades","symbol":"BTC-USDT","fromSeq":-4}', 1008, 'bad_from_seq'],
    ['an oversized message', JSON.stringify({ op: 'ping', pad: 'x'.repeat(5000) }), 1009, 'too_large'],
    ['a binary frame', Buffer.from([1, 2, 3]), 1003, 'binary'],
  ];

  it.each(closes)('closes on %s with the right code and counts it', async (_n, msg, code, reason) => {
    const before = await count(main.api.metrics.wsRejected, { reason });
    const c = await Client.open(main.wsUrl);
    if (typeof msg === 'string') c.send(msg);
    else c.ws.send(msg, { binary: true });
    expect((await c.waitClose()).code).toBe(code);
    await waitFor(async () => (await count(main.api.metrics.wsRejected, { reason })) === before + 1 || undefined, { what: `counter ${reason}` });
  });

  it('answers a well-formed unknown symbol with an error item and keeps the connection', async () => {
    const before = await count(main.api.metrics.wsRejected, { reason: 'unknown_symbol' });
    const c = await Client.open(main.wsUrl);
    c.send({ op: 'subscribe', channel: 'trades', symbol: 'DOGE-USDT' });
    c.send({ op: 'ping' });
    await c.waitFor(() => c.of('pong').length === 1, 'pong');
    expect(c.frames.map((f) => f.type)).toEqual(['error', 'pong']);
    expect(c.of('error')[0]?.data).toEqual([{ code: 'unknown_symbol', message: expect.any(String), symbol: 'DOGE-USDT' }]);
    expect(c.closed).toBeUndefined();
    expect((await count(main.api.metrics.wsRejected, { reason: 'unknown_symbol' })) - before).toBe(1);
    c.close();
  });

  it('refuses other paths and (when configured) foreign origins at the upgrade', async () => {
    await expect(Client.open(`ws://127.0.0.1:${main.api.port}/v1/other`)).rejects.toMatchObject({ status: 404 });
    const strict = await startTestApi({ WS_ALLOWED_ORIGINS: 'https://feed.example' });
    try {
      await expect(Client.open(strict.wsUrl, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
      expect(await count(strict.api.metrics.wsRejected, { reason: 'bad_origin' })).toBe(1);
      (await Client.open(strict.wsUrl, { origin: 'https://feed.example' })).close();
      (await Client.open(strict.wsUrl)).close(); // non-browser clients send no Origin
    } finally {
      await strict.stop();
    }
  });

  it('terminates a client that does not answer pings', async () => {
    const fast = await startTestApi({ WS_PING_INTERVAL_MS: '100' });
    try {
      const c = await Client.open(fast.wsUrl, { autoPong: false });
      const ok = await Client.open(fast.wsUrl);
      expect((await c.waitClose(5_000)).code).toBe(1006);
      expect(await count(fast.api.metrics.wsDeadTerminated)).toBe(1);
      expect(ok.closed).toBeUndefined();
      ok.close();
    } finally {
      await fast.stop();
    }
  });

  it('closes a client that stops reading with 1013 once its send buffer passes the bound', async () => {
    const slowApi = await startTestApi({ WS_MAX_BUFFERED_BYTES: String(256 * 1024), WS_CLOSE_TIMEOUT_MS: '60000' });
    try {
      const c = await subscribed(slowApi.wsUrl, 'BTC-USDT');
      const healthy = await subscribed(slowApi.wsUrl, 'BTC-USDT');
      (c.ws as unknown as { _socket: Socket })._socket.pause();
      let published = 0;
      const wasClosed = () => waitFor(async () => (await count(slowApi.api.metrics.wsSlowClosed)) > 0 || undefined, { what: 'slow client closed', timeoutMs: 300 });
      for (let round = 0; round < 40; round++) {
        const seqs = await publish(Array.from({ length: 5000 }, () => mkTrade()));
        published += 5000;
        const last = seqs[seqs.length - 1] as number;
        await waitFor(() => slowApi.api.hub.lastSeq >= last || undefined, { what: 'the api read the round' });
        if (await wasClosed().then(() => true, () => false)) break;
      }
      expect(await count(slowApi.api.metrics.wsSlowClosed)).toBe(1);
      (c.ws as unknown as { _socket: Socket })._socket.resume();
      expect((await c.waitClose(30_000)).code).toBe(1013);
      // The healthy client on the same server kept up and got everything.
      await healthy.waitFor(() => healthy.trades().length === published, `${published} trades on the healthy client`, 30_000);
      healthy.close();
    } finally {
      await slowApi.stop();
    }
  });
});

describe('shutdown', () => {
  it('closes WebSocket clients with 1001, stops the consumer and refuses new upgrades', async () => {
    const s = await startTestApi();
    const c = await subscribed(s.wsUrl, 'BTC-USDT');
    await s.stop();
    expect((await c.waitClose()).code).toBe(1001);
    expect(s.api.feed.state).toBe('stopped');
    await expect(Client.open(s.wsUrl)).rejects.toBeDefined();
  });
});

describe('readiness follows Redis', () => {
  it('reports 503 on /ready and 503 unavailable on reads while Redis is down, and recovers', async () => {
    await redis.stop();
    try {
      await waitFor(async () => (await get(`${main.base}/ready`)).status === 503 || undefined, { what: '/ready 503' });
      const r = await getJson(`${main.base}/v1/prices/latest?symbol=BTC-USD`);
      expect(r).toEqual({ status: 503, body: { error: { code: 'unavailable', message: expect.any(String) } } });
      expect((await getJson(`${main.base}/redis/status`)).body['connected']).toBe(false);
      expect((await get(`${main.base}/health`)).status).toBe(200); // liveness never depends on Redis
    } finally {
      await redis.restart();
    }
    await waitFor(async () => (await get(`${main.base}/ready`)).status === 200 || undefined, { what: '/ready 200 again', timeoutMs: 15_000 });
  });
});

describe('NATS restart', () => {
  it('the live push resumes after nats-server restarts, with no gap and no repeat', async () => {
    const c = await subscribed(main.wsUrl, 'BTC-USDT');
    const before = await publish([mkTrade(), mkTrade()]);
    await c.waitFor(() => c.trades().length === 2, 'trades before the restart');
    await nats.restart();
    const after = [mkTrade(), mkTrade(), mkTrade('okx')];
    // Retried until JetStream answers again; msg ids make a retried publish idempotent.
    const seqs = await waitFor(() => publish(after).catch(() => undefined), { what: 'publish after restart', timeoutMs: 20_000, intervalMs: 200 });
    await c.waitFor(() => c.trades().length >= 5, 'trades after the restart', 30_000);
    expect(c.trades().map((t) => t['seq'])).toEqual([...before, ...seqs]);
    await waitFor(async () => (await get(`${main.base}/ready`)).status === 200 || undefined, { what: '/ready after NATS restart' });
    c.close();
  });
});
