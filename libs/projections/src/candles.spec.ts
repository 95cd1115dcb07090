import { Keys, dumpState, keyFamilies } from '@feed/keys';
import type { MarketEventV1, TradeV1 } from '@feed/price-types';
import { RedisDbs, cleanupAll, registry, shuffle, startRedis, type RedisServerHandle } from '@feed/testing';
import { mulberry32 } from '@feed/venue-sim';
import { Redis } from 'ioredis';
import { BatchApplier, RefusedError } from './applier';
import type { ApplyContext, SequencedEvent } from './batch-args';
import { parseBar, type StoredBar } from './candle-read';
import { CANDLE_INTERVALS, COMPOSITE_VENUE, DEFAULT_CANDLE_SETTINGS, type CandleSettings } from './candle-settings';
import { PREFIX, T0, context, status, trade } from './fixtures/events';

jest.setTimeout(90_000);

/*
 * Candles against a real redis-server (hard rule 4). Expected bars come from a reference model written here from
 * the rules (candle-lua.ts), independently of the script, and are compared exactly, limb sums included.
 */

const families = keyFamilies(PREFIX);
const keys = new Keys(PREFIX);
let server: RedisServerHandle;
const dbs = new RedisDbs(() => server.port);
const client = (db: number): Redis => dbs.client(db);
const freshDb = (): Promise<Redis> => dbs.fresh();

function seqd(events: MarketEventV1[], firstSeq = 1): SequencedEvent[] {
  return events.map((ev, i) => ({ ev, seq: firstSeq + i }));
}

/** Decimal text -> integer scaled 10^s, written independently of the library (string digits, no float). */
function scaled(d: string, s: number): bigint {
  const [i = '0', f = ''] = d.split('.');
  return BigInt(i + f.padEnd(s, '0'));
}

function sortKey(t: TradeV1): string {
  return `${String(t.venueTimeUs).padStart(16, '0')}:${t.venue}:${t.tradeId.padStart(20, '0')}`;
}

interface RefBar {
  trades: TradeV1[];
  revision: number;
  late: number;
}

/** The reference model: bar key -> trades applied, revisions and late counts. */
function reference(trades: TradeV1[], s: CandleSettings): Map<string, RefBar> {
  const bars = new Map<string, RefBar>();
  const seen = new Set<string>();
  for (const t of trades) {
    if (seen.has(t.id)) continue;
    seen.add(t.id);
    const sec = Math.floor(t.venueTimeUs / 1e6);
    for (const venue of [t.venue, COMPOSITE_VENUE]) {
      for (const iv of CANDLE_INTERVALS) {
        const start = sec - (sec % iv.seconds);
        const endUs = (start + iv.seconds) * 1e6;
        const key = keys.candleBar(t.symbol, venue, iv.name, start);
        const b = bars.get(key) ?? { trades: [], revision: 0, late: 0 };
        bars.set(key, b);
        if (t.recvTimeUs >= endUs + s.finalityMs * 1000) b.late++;
        else {
          b.trades.push(t);
          if (t.recvTimeUs >= endUs + s.closeDelayMs * 1000) b.revision++;
        }
      }
    }
  }
  return bars;
}

function expectedBar(start: number, b: RefBar): StoredBar {
  const ts = [...b.trades].sort((x, y) => (sortKey(x) < sortKey(y) ? -1 : 1));
  const byPrice = [...b.trades].sort((x, y) => (scaled(x.price, 18) < scaled(y.price, 18) ? -1 : scaled(x.price, 18) > scaled(y.price, 18) ? 1 : 0));
  const first = ts[0];
  const last = ts[ts.length - 1];
  return {
    start,
    open: first?.price ?? null,
    high: byPrice[byPrice.length - 1]?.price ?? null,
    low: byPrice[0]?.price ?? null,
    close: last?.price ?? null,
    trades: ts.length,
    volume: ts.reduce((acc, t) => acc + scaled(t.size, 18), 0n),
    notional: ts.reduce((acc, t) => acc + scaled(t.price, 18) * scaled(t.size, 18), 0n),
    firstUs: ts.length ? Math.min(...ts.map((t) => t.venueTimeUs)) : null,
    lastUs: ts.length ? Math.max(...ts.map((t) => t.venueTimeUs)) : null,
    revision: b.revision,
    late: b.late,
  };
}

async function storedBars(r: Redis): Promise<Map<string, StoredBar>> {
  const out = new Map<string, StoredBar>();
  for (const key of (await r.keys(`${PREFIX}candle:*`)).sort()) {
    out.set(key, parseBar(Number(key.slice(key.lastIndexOf(':') + 1)), await r.hgetall(key)) as StoredBar);
  }
  return out;
}

async function expectBarsMatch(r: Redis, trades: TradeV1[], s: CandleSettings = DEFAULT_CANDLE_SETTINGS): Promise<void> {
  const ref = reference(trades, s);
  const stored = await storedBars(r);
  expect([...stored.keys()].sort()).toEqual([...ref.keys()].sort());
  for (const [key, b] of ref) expect({ key, bar: stored.get(key) }).toEqual({ key, bar: expectedBar(Number(key.slice(key.lastIndexOf(':') + 1)), b) });
}

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await dbs.closeAll();
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
});

const SEC = Math.floor(T0 / 1e6); // 08:02:13

describe('given trades of two venues within a few seconds', () => {
  const trades = [
    trade({ venue: 'binance', tradeId: '3', price: '60010.5', size: '0.2', venueTimeUs: SEC * 1e6 + 300_000 }),
    trade({ venue: 'binance', tradeId: '1', price: '60000', size: '0.1', venueTimeUs: SEC * 1e6 + 100_000 }),
    trade({ venue: 'binance', tradeId: '2', price: '59990.25', size: '1.5', venueTimeUs: SEC * 1e6 + 100_000 }),
    trade({ venue: 'okx', tradeId: '7', price: '60020', size: '0.05', venueTimeUs: SEC * 1e6 + 200_000 }),
    trade({ venue: 'binance', tradeId: '4', price: '60001', size: '0.3', venueTimeUs: (SEC + 1) * 1e6 + 5_000 }),
  ];

  it('when applied then every interval of the venue and of the composite holds exactly the reference bar', async () => {
    const r = await freshDb();
    await new BatchApplier(r, context()).apply(seqd(trades));
    await expectBarsMatch(r, trades);
    // spot checks of the rules, written out: open = smallest sort key (t1 before t2 at the same µs), close = greatest
    const b = parseBar(SEC, await r.hgetall(keys.candleBar('BTC-USDT', 'binance', '1s', SEC))) as StoredBar;
    expect(b).toMatchObject({ open: '60000', high: '60010.5', low: '59990.25', close: '60010.5', trades: 3 });
    expect(b.volume).toBe(1_800_000_000_000_000_000n); // 1.8 x 1e18
    const all = parseBar(SEC - (SEC % 60), await r.hgetall(keys.candleBar('BTC-USDT', COMPOSITE_VENUE, '1m', SEC - (SEC % 60)))) as StoredBar;
    expect(all).toMatchObject({ open: '60000', high: '60020', close: '60001', trades: 5, revision: 0, late: 0 });
    expect(await r.zrange(keys.candleIndex('BTC-USDT', 'binance', '1s'), '0', '-1')).toEqual([String(SEC), String(SEC + 1)]);
  });

  it('when applied again (redelivery) or split into single-trade batches in reverse then the bars are the same', async () => {
    const r1 = await freshDb();
    const a1 = new BatchApplier(r1, context());
    await a1.apply(seqd(trades));
    await a1.apply(seqd(trades));
    const r2 = await freshDb();
    const a2 = new BatchApplier(r2, context());
    for (const t of [...trades].reverse()) await a2.apply(seqd([t]));
    // the checkpoint differs by construction (sequence 1 every time on r2); every projection must not
    const [d1, d2] = await Promise.all([dumpState(r1, families, { exclude: ['checkpoint'] }), dumpState(r2, families, { exclude: ['checkpoint'] })]);
    expect(d2).toEqual(d1);
    await expectBarsMatch(r1, trades);
  });
});

describe('given trades received after their bar closed', () => {
  const s: CandleSettings = { ...DEFAULT_CANDLE_SETTINGS, closeDelayMs: 2_000, finalityMs: 30_000 };
  const ctx = context({ candles: s });
  const onTime = trade({ tradeId: '10', price: '60000', venueTimeUs: SEC * 1e6 + 500_000 });
  // received 5 s after its 1s bar ended: past the close delay, inside the finality horizon -> a revision everywhere
  const revising = trade({ tradeId: '11', price: '61000', venueTimeUs: SEC * 1e6 + 600_000, recvTimeUs: (SEC + 1) * 1e6 + 5_000_000 });
  // received 40 s after its 1s bar ended: final for the 1s bar (late there), still a revision or on time for larger bars
  const late = trade({ tradeId: '12', price: '59000', size: '2', venueTimeUs: SEC * 1e6 + 700_000, recvTimeUs: (SEC + 1) * 1e6 + 40_000_000 });

  it('when applied then the revising trade counts in OHLCV with revision 1 and the late one only as late, and the reply reports it', async () => {
    const r = await freshDb();
    const res = await new BatchApplier(r, ctx).apply(seqd([onTime, revising, late]));
    expect(res.counts['trade']).toEqual({ applied: 3, duplicates: 0, skipped: 0 });
    expect(res.late.map((t) => t.tradeId)).toEqual(['12']);
    await expectBarsMatch(r, [onTime, revising, late], s);
    const b = parseBar(SEC, await r.hgetall(keys.candleBar('BTC-USDT', 'binance', '1s', SEC))) as StoredBar;
    expect(b).toMatchObject({ open: '60000', high: '61000', low: '60000', close: '61000', trades: 2, revision: 1, late: 1 });
    // 08:02:13 lies in the 08:02 minute, which ends 47 s later: the late trade arrived before that bar even closed
    const m = parseBar(SEC - (SEC % 60), await r.hgetall(keys.candleBar('BTC-USDT', 'binance', '1m', SEC - (SEC % 60)))) as StoredBar;
    expect(m).toMatchObject({ low: '59000', trades: 3, revision: 0, late: 0 });
  });

  it('when the late trade is redelivered then it is neither counted nor reported again', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, ctx);
    await a.apply(seqd([onTime, late]));
    const again = await a.apply(seqd([late]));
    expect(again.late).toEqual([]);
    expect(again.counts['trade']).toEqual({ applied: 0, duplicates: 1, skipped: 0 });
    expect(await r.hget(keys.candleBar('BTC-USDT', 'binance', '1s', SEC), 'x')).toBe('1');
  });

  it('when only a late trade hits a bar then the bar holds only the late count (no prices)', async () => {
    const r = await freshDb();
    await new BatchApplier(r, ctx).apply(seqd([late]));
    const b = parseBar(SEC, await r.hgetall(keys.candleBar('BTC-USDT', 'binance', '1s', SEC))) as StoredBar;
    expect(b).toMatchObject({ trades: 0, open: null, late: 1, volume: 0n });
  });
});

describe('given a trade whose venue time is far ahead of its receive time (broken clock or hostile timestamp)', () => {
  it('when applied then it is kept out of the candles and reported, and the real bars keep their retention', async () => {
    const s: CandleSettings = { ...DEFAULT_CANDLE_SETTINGS, maxFutureMs: 60_000, retention: { ...DEFAULT_CANDLE_SETTINGS.retention, '1s': 5 } };
    const r = await freshDb();
    const a = new BatchApplier(r, context({ candles: s }));
    const real = trade({ tradeId: '1', venueTimeUs: SEC * 1e6 });
    const future = trade({ tradeId: '2', venueTimeUs: (SEC + 86_400 * 365) * 1e6, recvTimeUs: SEC * 1e6 + 2_000 });
    const res = await a.apply(seqd([real, future]));
    expect(res.counts['trade']).toEqual({ applied: 2, duplicates: 0, skipped: 0 });
    expect(res.future.map((t) => t.tradeId)).toEqual(['2']);
    await expectBarsMatch(r, [real]);
    // still applied to the other projections
    expect(await r.zcard(keys.recentTrades('BTC-USDT'))).toBe(2);
  });
});

describe('given sums beyond double precision', () => {
  it('when many large trades with 18-decimal sizes are applied then volume and notional are exact', async () => {
    const rand = mulberry32(7);
    const trades = Array.from({ length: 400 }, (_, i) =>
      trade({
        tradeId: String(i + 1),
        price: `${900_000_000_000 + Math.floor(rand() * 1e9)}.${String(Math.floor(rand() * 1e8)).padStart(8, '0')}`,
        size: `${Math.floor(rand() * 1e6)}.${String(Math.floor(rand() * 1e9)).padStart(9, '0')}${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`.replace(/0+$/, '').replace(/\.$/, ''),
        venueTimeUs: SEC * 1e6 + i * 1000,
      }),
    );
    const r = await freshDb();
    const a = new BatchApplier(r, context({ legacy: { enabled: false } }));
    for (let i = 0; i < trades.length; i += 50) await a.apply(seqd(trades.slice(i, i + 50), i + 1));
    await expectBarsMatch(r, trades);
    const b = parseBar(SEC, await r.hgetall(keys.candleBar('BTC-USDT', 'binance', '1s', SEC))) as StoredBar;
    expect(b.notional).toBeGreaterThan(2n ** 64n);
  });
});

describe('given a log applied in different orders, batch sizes and by two concurrent appliers', () => {
  it('when compared then every candle key is identical and equals the reference', async () => {
    const rand = mulberry32(42);
    const venues = ['binance', 'okx', 'bybit'] as const;
    const s: CandleSettings = { ...DEFAULT_CANDLE_SETTINGS, closeDelayMs: 500, finalityMs: 3_000 };
    const trades: TradeV1[] = [];
    const ids: Record<string, number> = {};
    for (let i = 0; i < 1_600; i++) {
      const venue = venues[Math.floor(rand() * venues.length)] as (typeof venues)[number];
      const vt = T0 + Math.floor(rand() * 180e6); // three minutes
      const delay = rand() < 0.9 ? Math.floor(rand() * 300_000) : Math.floor(rand() * 8e6); // some revisions and late trades
      ids[venue] = (ids[venue] ?? 0) + 1;
      trades.push(trade({ venue, tradeId: String(ids[venue]), price: (60_000 + Math.floor(rand() * 20_000) / 100).toFixed(2).replace(/\.?0+$/, ''), size: (Math.floor(rand() * 1e6) / 1e6 + 0.000001).toFixed(6).replace(/\.?0+$/, ''), venueTimeUs: vt, recvTimeUs: vt + delay }));
    }
    const dups = Array.from({ length: 50 }, () => trades[Math.floor(rand() * trades.length)] as TradeV1);
    const beats = Array.from({ length: 180 }, (_, k) => status({ recvTimeUs: T0 + k * 1e6 }));
    const events = seqd(shuffle([...trades, ...dups, ...beats], rand));
    const ctx: ApplyContext = context({ candles: s, publish: false });

    const ra = await freshDb();
    const aa = new BatchApplier(ra, ctx);
    for (let i = 0; i < events.length; i += 500) await aa.apply(events.slice(i, i + 500));

    const rb = await freshDb();
    const ab = new BatchApplier(rb, ctx);
    const perm = shuffle(events, rand);
    for (let i = 0; i < perm.length; ) {
      const n = 1 + Math.floor(rand() * 300);
      await ab.apply(perm.slice(i, i + n));
      i += n;
    }

    const rc = await freshDb();
    const rc2 = client(Number(rc.options.db));
    const halves: SequencedEvent[][] = [[], []];
    for (const e of events) (halves[rand() < 0.5 ? 0 : 1] as SequencedEvent[]).push(e);
    await Promise.all(
      [rc, rc2].map(async (r, h) => {
        const ap = new BatchApplier(r, ctx);
        const part = halves[h] as SequencedEvent[];
        for (let i = 0; i < part.length; i += 97) {
          await ap.apply(part.slice(i, i + 97));
          await new Promise((res) => setImmediate(res));
        }
      }),
    );
    // and everything once more (a late replica redelivering all of it)
    await aa.apply(events.slice(0, 1000));

    const [da, db, dc] = await Promise.all([dumpState(ra, families), dumpState(rb, families), dumpState(rc, families)]);
    expect(Object.keys(da).filter((k) => k.startsWith(`${PREFIX}candle`)).length).toBeGreaterThan(100);
    expect(db).toEqual(da);
    expect(dc).toEqual(da);
    await expectBarsMatch(ra, trades, s);
    const lateTotal = [...reference(trades, s).entries()].filter(([k]) => k.includes(':1s:')).reduce((n, [, b]) => n + b.late, 0);
    expect(lateTotal).toBeGreaterThan(0);
  });
});

describe('given a bounded retention', () => {
  it('when the series moves on then bars more than `keep` bars older than the newest are gone, in any order', async () => {
    const s: CandleSettings = { ...DEFAULT_CANDLE_SETTINGS, retention: { ...DEFAULT_CANDLE_SETTINGS.retention, '1s': 3 } };
    const trades = Array.from({ length: 8 }, (_, i) => trade({ tradeId: String(i + 1), venueTimeUs: (SEC + i) * 1e6 + 1000 }));
    const ra = await freshDb();
    const rb = await freshDb();
    const aa = new BatchApplier(ra, context({ candles: s }));
    const ab = new BatchApplier(rb, context({ candles: s }));
    for (const t of trades) await aa.apply(seqd([t]));
    for (const t of [...trades].reverse()) await ab.apply(seqd([t]));
    const idx = keys.candleIndex('BTC-USDT', 'binance', '1s');
    expect(await ra.zrange(idx, '0', '-1')).toEqual([SEC + 5, SEC + 6, SEC + 7].map(String));
    expect((await ra.keys(`${PREFIX}candle:BTC-USDT:binance:1s:*`)).sort()).toEqual([SEC + 5, SEC + 6, SEC + 7].map((x) => keys.candleBar('BTC-USDT', 'binance', '1s', x)).sort());
    expect(await dumpState(rb, families)).toEqual(await dumpState(ra, families));
  });
});

describe('given a sparse log applied in one large batch (a replay of a quiet stream)', () => {
  it('when 5,000 trades each open their own 1s bar then every bar is indexed (more index members than Lua unpacks at once)', async () => {
    const trades = Array.from({ length: 5_000 }, (_, i) => trade({ tradeId: String(i + 1), venueTimeUs: (SEC + i) * 1e6 + 1000, recvTimeUs: (SEC + i) * 1e6 + 2000 }));
    const r = await freshDb();
    await new BatchApplier(r, context({ legacy: { enabled: false } })).apply(seqd(trades));
    expect(await r.zcard(keys.candleIndex('BTC-USDT', 'binance', '1s'))).toBe(5_000);
    expect(await r.zcard(keys.candleIndex('BTC-USDT', COMPOSITE_VENUE, '1s'))).toBe(5_000);
  });
});

describe('given the legacy source stream', () => {
  const M = SEC - (SEC % 1800); // 08:00:00, a half hour start
  const t = (id: string, atSec: number, price: string, size = '0.5', venue: TradeV1['venue'] = 'binance') => trade({ venue, tradeId: id, price, size, venueTimeUs: atSec * 1e6 + 250_000 });
  const trades = [t('1', M + 10, '60000'), t('2', M + 905, '60500.5'), t('3', M + 1000, '59000', '0.25'), t('4', M + 1001, '60100'), t('9', M + 1002, '70000', '1', 'okx')];

  it('when applied then btc_candle_<N>min hold the newest N-minute bar in the old JSON style, 30 min merged from two 15 min bars', async () => {
    const r = await freshDb();
    await new BatchApplier(r, context()).apply(seqd(shuffle(trades, mulberry32(3))));
    const iso = (s: number) => `${new Date(s * 1000).toISOString().slice(0, 19)}.000000+00:00`;
    const m16 = M + 960; // the minute of trades 3 and 4
    expect(await r.get('btc_candle_1min')).toBe(`{"o": 59000.0, "h": 60100.0, "l": 59000.0, "c": 60100.0, "v": 0.75, "t": ${m16}, "timestamp": "${iso(m16)}"}`);
    expect(await r.get('btc_candle_15min')).toBe(`{"o": 60500.5, "h": 60500.5, "l": 59000.0, "c": 60100.0, "v": 1.25, "t": ${M + 900}, "timestamp": "${iso(M + 900)}"}`);
    expect(await r.get('btc_candle_30min')).toBe(`{"o": 60000.0, "h": 60500.5, "l": 59000.0, "c": 60100.0, "v": 1.75, "t": ${M}, "timestamp": "${iso(M)}"}`);
    const hour = M - (M % 3600);
    expect(JSON.parse((await r.get('btc_candle_60min')) as string)).toEqual({ o: 60000, h: 60500.5, l: 59000, c: 60100, v: 1.75, t: hour, timestamp: iso(hour) });
    expect(JSON.parse((await r.get('btc_candle_240min')) as string)).toMatchObject({ o: 60000, c: 60100, v: 1.75, t: M - (M % 14400) });
    expect(JSON.parse((await r.get('btc_candle_5min')) as string)).toMatchObject({ o: 60500.5, c: 60100, t: M + 900 });
  });

  it('when applied in any order and batching then btc_candles_<N>min list the newest windows newest first, equal to a full rebuild', async () => {
    // 40 minutes of binance trades, one every 20 s, with a few late-arriving older ones (received within finality)
    const many: TradeV1[] = [];
    for (let i = 0; i < 120; i++) many.push(trade({ tradeId: String(100 + i), price: String(60_000 + (i % 17) * 10), size: '0.1', venueTimeUs: (M + i * 20) * 1e6 + 1000 }));
    const rand = mulberry32(11);
    const ra = await freshDb();
    const aa = new BatchApplier(ra, context());
    for (let i = 0; i < many.length; i += 7) await aa.apply(seqd(many.slice(i, i + 7), i + 1));
    const rb = await freshDb();
    const ab = new BatchApplier(rb, context());
    const perm = shuffle(many, rand);
    for (let i = 0; i < perm.length; i += 5) await ab.apply(seqd(perm.slice(i, i + 5), i + 1));
    const lists = async (r: Redis) => Object.fromEntries(await Promise.all([1, 5, 15, 30, 60, 240].map(async (n) => [n, await r.lrange(`btc_candles_${n}min`, 0, -1)] as const)));
    const la = await lists(ra);
    expect(await lists(rb)).toEqual(la);
    // 1 min list: one entry per minute with trades (40 minutes), newest first; head = btc_candle_1min
    const ones = (la[1] as string[]).map((e) => JSON.parse(e) as { t: number; o: number; c: number; v: number });
    expect(ones.map((e) => e.t)).toEqual(Array.from({ length: 40 }, (_, k) => M + (39 - k) * 60));
    expect(la[1]?.[0]).toBe(await ra.get('btc_candle_1min'));
    expect(ones[39]).toMatchObject({ o: 60000, c: 60020, v: 0.3 }); // trades 0, 1, 2 of the first minute
    expect((la[30] as string[]).map((e) => (JSON.parse(e) as { t: number }).t)).toEqual([M + 1800, M]);
    expect((la[30] as string[])[1]).toContain('"v": 9.0');
    expect(await dumpState(rb, families, { exclude: ['checkpoint'] })).toEqual(await dumpState(ra, families, { exclude: ['checkpoint'] }));
  });

  it('when the legacy keys are off or the trades are simulated then no legacy candle key exists', async () => {
    const r = await freshDb();
    await new BatchApplier(r, context({ legacy: { enabled: false } })).apply(seqd(trades));
    await new BatchApplier(r, context()).apply(seqd(trades.map((x) => ({ ...x, id: `${x.id}s`, tradeId: `${x.tradeId}0`, source: 'simulated' as const }))));
    expect(await r.keys('btc_candle*')).toEqual([]);
    expect((await r.keys(`${PREFIX}candle:*`)).length).toBeGreaterThan(0);
  });
});

describe('given a candle key of the wrong type', () => {
  it('when a batch would touch it then the whole batch is refused before any write', async () => {
    const r = await freshDb();
    await r.set(keys.candleBar('BTC-USDT', COMPOSITE_VENUE, '1h', SEC - (SEC % 3600)), 'not a hash');
    const err = await new BatchApplier(r, context()).apply(seqd([trade({ tradeId: '1' })])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect(await r.dbsize()).toBe(1);
  });
});
