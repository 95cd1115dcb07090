import path from 'node:path';
import { keyFamilies, dumpState } from '@feed/keys';
import { Redis } from 'ioredis';
import { FeedStack, ROOT, WsClient, type SimTrade } from '@feed/feed-stack';
import { spawnApp, startRedis, waitFor } from '@feed/testing';

/**
 * The spine, end to end: 20,000 simulated Binance BTCUSDT trades (plus ETHUSDT beside them) through ingest, two
 * normalizers, two persisters and the api, compared exactly with the simulator's own record of what it sent.
 */
const N = 20_000;
const LEGACY_ENTRY = /^\{"price": \d+(\.\d+)?(e[+-]\d{2})?, "timestamp": "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00", "volume": \d+(\.\d+)?(e[+-]\d{2})?\}$/;

function entryOf(member: string): Record<string, unknown> {
  return JSON.parse(member.slice(member.indexOf('|') + 1)) as Record<string, unknown>;
}

function isoMicros(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000+00:00`;
}

describe('spine: venue -> ingest -> normalizer x2 -> persister x2 -> Redis / REST / WebSocket', () => {
  let stack: FeedStack;
  let ws: WsClient;
  let btc: SimTrade[];
  let eth: SimTrade[];

  beforeAll(async () => {
    stack = await FeedStack.start({ sim: { rate: 2_000, maxTrades: N, symbols: ['BTCUSDT', 'ETHUSDT'] }, env: { BINANCE_SYMBOLS: 'BTC-USDT,ETH-USDT' } });
    await stack.startApp('persister');
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('normalizer');
    await stack.startApp('api');
    ws = await WsClient.connect(`${stack.apiUrl.replace('http', 'ws')}/v1/stream`);
    ws.send({ op: 'subscribe', channel: 'trades', symbol: 'BTC-USDT' });
    await waitFor(() => ws.frames.some((f) => f.type === 'subscribed'), { what: 'WS subscription confirmed' });
    await stack.startApp('ingest');
    await stack.simClient.waitForCount(N, 90_000, 'BTCUSDT');
    await stack.simClient.waitForCount(N, 90_000, 'ETHUSDT');
    btc = await stack.simClient.record('BTCUSDT');
    eth = await stack.simClient.record('ETHUSDT');
    await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= N && (await stack.redis.zcard('feed:trades:ETH-USDT')) >= N, {
      what: 'all trades in Redis',
      timeoutMs: 60_000,
      intervalMs: 250,
    });
  });

  afterAll(async () => {
    ws?.close();
    await stack?.stop();
  });

  it('Redis holds exactly the simulator trades, none twice, with exact prices, sizes and taker sides', async () => {
    expect(btc).toHaveLength(N);
    for (const [symbol, sent] of [['BTC-USDT', btc], ['ETH-USDT', eth]] as const) {
      const members = await stack.redis.zrange(`feed:trades:${symbol}`, '0', '-1');
      expect(members).toHaveLength(N);
      const stored = members.map(entryOf);
      expect(stored.map((t) => t['tradeId'])).toEqual(sent.map((t) => t.tradeId));
      stored.forEach((t, i) => {
        const s = sent[i] as SimTrade;
        expect([t['price'], t['size'], t['side'], t['venueTimeUs'], t['source']]).toEqual([s.price, s.qty, s.buyerIsMaker ? 'sell' : 'buy', s.tradeTimeMs * 1000, 'simulated']);
      });
    }
    const persisted = await Promise.all(stack.apps.persister.map((p) => stack.counter(p, 'feed_persister_events_total', { type: 'trade', outcome: 'applied' })));
    expect(persisted.reduce((a, b) => a + b, 0)).toBe(2 * N);
  });

  it('serves the simulator last price as the REST latest price', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/prices/latest?symbol=BTC-USDT`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { venues: Array<Record<string, unknown>> };
    const last = btc[btc.length - 1] as SimTrade;
    expect(body.venues).toHaveLength(1);
    expect(body.venues[0]).toMatchObject({ venue: 'binance', price: last.price, tradeId: last.tradeId, source: 'simulated' });
  });

  it('pushes every trade to a WebSocket client exactly once, in order, in batched v1 frames', async () => {
    await waitFor(() => ws.trades.length >= N, { what: `${N} trades on the WebSocket`, timeoutMs: 30_000 });
    expect(ws.trades.map((t) => t.tradeId)).toEqual(btc.map((t) => t.tradeId));
    const seqs = ws.trades.map((t) => t.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i] as number).toBeGreaterThan(seqs[i - 1] as number);
    for (const f of ws.frames) {
      expect(f.v).toBe(1);
      expect(Array.isArray(f.data)).toBe(true);
    }
    // Batching: far fewer frames than trades at 2,000 trades/s.
    expect(ws.frames.filter((f) => f.type === 'trades').length).toBeLessThan(N / 2);
  });

  it('writes the legacy v3 keys in the old formats, from the configured source stream only', async () => {
    const r = stack.redis;
    const last = btc[btc.length - 1] as SimTrade;
    // Python str(float): "67234.01", and "67234.0" for a whole number.
    const py = String(Number(last.price));
    expect(await r.get('last_btc_price')).toBe(py.includes('.') ? py : `${py}.0`);
    expect(await r.get('last_btc_update_time')).toBe(`${Math.floor(last.tradeTimeMs / 1000)}.${String((last.tradeTimeMs % 1000) * 1000).padStart(6, '0')}`);
    const history = await r.lrange('btc_movement_history', 0, -1);
    expect(history).toHaveLength(1000);
    for (const h of history) expect(h).toMatch(LEGACY_ENTRY);
    // Newest first, exactly the last 1000 BTC-USDT trades (no ETH-USDT entry leaked in).
    const expected = btc.slice(-1000).reverse();
    history.forEach((h, i) => {
      const e = JSON.parse(h) as { price: number; timestamp: string; volume: number };
      const s = expected[i] as SimTrade;
      expect([e.price, e.volume, e.timestamp]).toEqual([Number(s.price), Number(s.qty), isoMicros(s.tradeTimeMs)]);
    });
    expect(await r.exists('current_exchange')).toBe(0);
  });

  it('rebuilds an identical state from the log into an empty Redis (replay)', async () => {
    // Quiesce: stop ingest (no more heartbeats), then wait until the persisters applied the whole MD stream.
    for (const ingest of stack.apps.ingest) await ingest.stop();
    const mdLast = async () => (await stack.jsm.streams.info('FEED_MD')).state.last_seq;
    await waitFor(async () => Number(await stack.redis.hget('feed:checkpoint:primary', 'seq')) === (await mdLast()), { what: 'persisters caught up', timeoutMs: 30_000 });
    const scratch = await startRedis();
    const replay = spawnApp({ name: 'replay', script: path.join(ROOT, 'dist/tools/replay/main.js'), env: { ...stack.baseEnv('persister'), REDIS_PORT: String(scratch.port) } });
    const exit = await replay.exited;
    expect(exit.code).toBe(0);
    const scratchClient = new Redis({ host: '127.0.0.1', port: scratch.port });
    try {
      const families = keyFamilies('feed:');
      const live = await dumpState(stack.redis, families);
      const rebuilt = await dumpState(scratchClient, families);
      expect(Object.keys(rebuilt).sort()).toEqual(Object.keys(live).sort());
      expect(rebuilt).toEqual(live);
    } finally {
      await scratchClient.quit();
    }
  });
});
