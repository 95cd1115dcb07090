import path from 'node:path';
import { dumpState, keyFamilies } from '@feed/keys';
import { FeedStack, ROOT, type SimTrade } from '@feed/feed-stack';
import { spawnApp, startRedis, waitFor } from '@feed/testing';
import { Redis } from 'ioredis';

/**
 * Candles end to end (issue 5): simulated Binance and OKX BTC-USDT trades through ingest, a normalizer, TWO
 * persisters and the api. The candles served (per venue and composite, several intervals) must equal candles
 * computed HERE, independently, from the simulator's own record of what it sent; after the last trade the
 * heartbeats alone must close flat empty bars; a replay of the log must rebuild identical candle keys.
 */
const N = 2_500;
const MARKETS = [
  { venue: 'binance', native: 'BTCUSDT' },
  { venue: 'okx', native: 'BTC-USDT' },
] as const;

interface Sent extends SimTrade {
  venue: string;
}

interface Bar {
  start: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  vwap: string | null;
  trades: number;
  firstTradeTime: string | null;
  lastTradeTime: string | null;
  empty: boolean;
  closed: boolean;
}

/** Decimal text -> BigInt scaled 10^18 (no float, no library). */
function sc(d: string): bigint {
  const [i = '0', f = ''] = d.split('.');
  return BigInt(i + f.padEnd(18, '0'));
}

/** Scaled BigInt -> canonical decimal text. */
function dec(v: bigint, scale: number): string {
  const s = v.toString().padStart(scale + 1, '0');
  const int = s.slice(0, s.length - scale);
  const frac = s.slice(s.length - scale).replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000Z`;
}

function order(a: Sent, b: Sent): number {
  if (a.tradeTimeMs !== b.tradeTimeMs) return a.tradeTimeMs - b.tradeTimeMs;
  if (a.venue !== b.venue) return a.venue < b.venue ? -1 : 1;
  const x = BigInt(a.tradeId);
  const y = BigInt(b.tradeId);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The expected non-empty bars of an interval, computed from the simulator's record. */
function expectedBars(trades: Sent[], seconds: number): Array<Omit<Bar, 'closed'>> {
  const groups = new Map<number, Sent[]>();
  for (const t of trades) {
    const start = Math.floor(t.tradeTimeMs / 1000 / seconds) * seconds;
    groups.set(start, [...(groups.get(start) ?? []), t]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, ts]) => {
      const s = [...ts].sort(order);
      const prices = s.map((t) => sc(t.price));
      const volume = s.reduce((acc, t) => acc + sc(t.qty), 0n);
      const notional = s.reduce((acc, t) => acc + sc(t.price) * sc(t.qty), 0n);
      // VWAP: notional (1e36) / volume (1e18) = price at 1e18, rounded half up to 12 decimals
      const q = notional / volume;
      const vwap = dec((q + 500_000n) / 1_000_000n, 12);
      const max = prices.reduce((m, p) => (p > m ? p : m));
      const min = prices.reduce((m, p) => (p < m ? p : m));
      return {
        start: iso(start * 1000),
        open: (s[0] as Sent).price,
        high: (s.find((t) => sc(t.price) === max) as Sent).price,
        low: (s.find((t) => sc(t.price) === min) as Sent).price,
        close: (s[s.length - 1] as Sent).price,
        volume: dec(volume, 18),
        vwap,
        trades: s.length,
        firstTradeTime: iso(Math.min(...s.map((t) => t.tradeTimeMs))),
        lastTradeTime: iso(Math.max(...s.map((t) => t.tradeTimeMs))),
        empty: false,
      };
    });
}

describe('candles: simulator -> ingest -> normalizer -> persister x2 -> api, against candles computed from the record', () => {
  let stack: FeedStack;
  let sent: Sent[];
  let fromMs: number;
  let lastMs: number;

  async function candles(query: string): Promise<Bar[]> {
    const res = await fetch(`${stack.apiUrl}/v1/candles?symbol=BTC-USDT&${query}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { candles: Bar[] }).candles;
  }

  beforeAll(async () => {
    stack = await FeedStack.start({
      sim: { rate: 500, maxTrades: N, args: ['--venues', 'binance,okx', '--venue-symbols', MARKETS.map((m) => `${m.venue}=${m.native}`).join(',')] },
    });
    await stack.startApp('persister');
    await stack.startApp('persister');
    await stack.startApp('normalizer');
    await stack.startApp('api');
    await stack.startApp('ingest', { INGEST_VENUES: 'binance,okx', BINANCE_URL: `${stack.simUrl}/binance`, OKX_URL: `${stack.simUrl}/okx`, BINANCE_SYMBOLS: 'BTC-USDT', OKX_SYMBOLS: 'BTC-USDT' });
    sent = [];
    for (const m of MARKETS) {
      await stack.simClient.waitForCount(N, 60_000, m.native, m.venue);
      sent.push(...(await stack.simClient.record(m.native, m.venue)).map((t) => ({ ...t, venue: m.venue })));
    }
    await waitFor(async () => (await stack.redis.zcard('feed:trades:BTC-USDT')) >= 2 * N, { what: 'every trade persisted', timeoutMs: 60_000, intervalMs: 250 });
    fromMs = Math.min(...sent.map((t) => t.tradeTimeMs));
    lastMs = Math.max(...sent.map((t) => t.tradeTimeMs));
  });

  afterAll(async () => stack?.stop());

  it('serves, per venue, 1s and 1m bars equal to the ones computed from the record, and closes flat empty 1s bars after the last trade', async () => {
    expect(sent).toHaveLength(2 * N);
    const from = Math.floor(fromMs / 1000) * 1000;
    const endSec = Math.floor(lastMs / 1000) + 4; // three empty seconds after the last trade's second
    for (const m of MARKETS) {
      const mine = sent.filter((t) => t.venue === m.venue);
      const last = [...mine].sort(order)[mine.length - 1] as Sent;
      // the heartbeats move event time on with no trade: wait until they closed the trailing empty bars
      const bars1s = await waitFor(
        async () => {
          const c = await candles(`venue=${m.venue}&interval=1s&from=${from}&to=${endSec * 1000}`);
          return c.length > 0 && c[c.length - 1]?.start === iso((endSec - 1) * 1000) ? c : undefined;
        },
        { what: `${m.venue} 1s bars closed up to ${endSec}`, timeoutMs: 30_000, intervalMs: 250 },
      );
      const traded = bars1s.filter((b) => !b.empty);
      expect(traded.map(({ closed: _c, ...b }) => ({ ...b, revision: undefined, lateTrades: undefined, end: undefined, final: undefined }))).toEqual(
        expectedBars(mine, 1).map((b) => ({ ...b, revision: undefined, lateTrades: undefined, end: undefined, final: undefined })),
      );
      const trailing = bars1s.filter((b) => Date.parse(b.start) > lastMs);
      expect(trailing.length).toBeGreaterThanOrEqual(3);
      for (const b of trailing) expect(b).toMatchObject({ empty: true, closed: true, open: last.price, high: last.price, low: last.price, close: last.price, volume: '0', trades: 0, vwap: null });
      const bars1m = await candles(`venue=${m.venue}&interval=1m&from=${from}&to=${endSec * 1000}`);
      expect(bars1m.filter((b) => !b.empty).map((b) => ({ start: b.start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, vwap: b.vwap, trades: b.trades }))).toEqual(
        expectedBars(mine, 60).map((b) => ({ start: b.start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume, vwap: b.vwap, trades: b.trades })),
      );
    }
  });

  it('serves composite bars (no venue) over both venues, equal to the ones computed from the record', async () => {
    for (const [interval, seconds] of [['1s', 1], ['1m', 60], ['1h', 3600]] as const) {
      const from = Math.floor(fromMs / 1000 / seconds) * seconds * 1000;
      const to = (Math.floor(lastMs / 1000 / seconds) + 1) * seconds * 1000;
      const got = (await candles(`interval=${interval}&from=${from}&to=${to}`)).filter((b) => !b.empty);
      const want = expectedBars(sent, seconds);
      expect(got.map((b) => [b.start, b.open, b.high, b.low, b.close, b.volume, b.vwap, b.trades, b.firstTradeTime, b.lastTradeTime])).toEqual(
        want.map((b) => [b.start, b.open, b.high, b.low, b.close, b.volume, b.vwap, b.trades, b.firstTradeTime, b.lastTradeTime]),
      );
    }
  });

  it('serves 24 h statistics equal to the ones computed from the record', async () => {
    const res = await fetch(`${stack.apiUrl}/v1/stats?symbol=BTC-USDT&venue=okx`);
    const s = (await res.json()) as Record<string, unknown>;
    const mine = sent.filter((t) => t.venue === 'okx').sort(order);
    const total = expectedBars(mine, 86_400 * 365)[0] as Omit<Bar, 'closed'>; // one bar over everything
    expect(s).toMatchObject({ symbol: 'BTC-USDT', venue: 'okx', open: total.open, high: total.high, low: total.low, last: total.close, volume: total.volume, trades: N });
  });

  it('writes the legacy candle keys (newest bar and list) from the Binance stream only', async () => {
    const oneMin = JSON.parse((await stack.redis.get('btc_candle_1min')) as string) as { c: number; t: number };
    const binance = sent.filter((t) => t.venue === 'binance').sort(order);
    const last = binance[binance.length - 1] as Sent;
    expect(oneMin.c).toBe(Number(last.price));
    expect(oneMin.t).toBe(Math.floor(last.tradeTimeMs / 60_000) * 60);
    for (const n of [5, 15, 30, 60, 240]) expect(await stack.redis.exists(`btc_candle_${n}min`)).toBe(1);
    // the list form: one entry per minute with Binance trades, newest first, its head the newest bar
    const minutes = new Set(binance.map((t) => Math.floor(t.tradeTimeMs / 60_000) * 60));
    const list = await stack.redis.lrange('btc_candles_1min', 0, -1);
    expect(list.map((e) => (JSON.parse(e) as { t: number }).t)).toEqual([...minutes].sort((a, b) => b - a));
    expect(list[0]).toBe(await stack.redis.get('btc_candle_1min'));
  });

  it('rebuilds identical candle keys (and every other family) from the log into an empty Redis', async () => {
    for (const ingest of stack.apps.ingest) await ingest.stop();
    const mdLast = async () => (await stack.jsm.streams.info('FEED_MD')).state.last_seq;
    await waitFor(async () => Number(await stack.redis.hget('feed:checkpoint:primary', 'seq')) === (await mdLast()), { what: 'persisters caught up', timeoutMs: 30_000 });
    const scratch = await startRedis();
    const replay = spawnApp({ name: 'replay', script: path.join(ROOT, 'dist/tools/replay/main.js'), env: { ...stack.baseEnv('persister'), REDIS_PORT: String(scratch.port) } });
    expect((await replay.exited).code).toBe(0);
    const scratchClient = new Redis({ host: '127.0.0.1', port: scratch.port });
    try {
      const families = keyFamilies('feed:');
      const live = await dumpState(stack.redis, families);
      const rebuilt = await dumpState(scratchClient, families);
      expect(Object.keys(live).filter((k) => k.startsWith('feed:candle')).length).toBeGreaterThan(50);
      expect(Object.keys(rebuilt).sort()).toEqual(Object.keys(live).sort());
      expect(rebuilt).toEqual(live);
    } finally {
      await scratchClient.quit();
    }
  });
});
