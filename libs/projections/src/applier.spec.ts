import { Keys, dumpState, keyFamilies } from '@feed/keys';
import { TransientError } from '@feed/messaging';
import type { MarketEventV1, StreamStatusV1, TradeV1 } from '@feed/price-types';
import { createRedisClient } from '@feed/redis';
 
import { RedisDbs, cleanupAll, registry, shuffle, startRedis, waitFor, type RedisServerHandle } from '@feed/testing';
import { mulberry32 } from '@feed/venue-sim';
import { Redis } from 'ioredis';
import { BatchApplier, RefusedError, type ApplyResult } from './applier';
import type { ScriptProjection } from './script-projection';
import type { ApplyContext, SequencedEvent } from './batch-args';
import { PREFIX, T0, context, gap, quote, status, trade } from './fixtures/events';

jest.setTimeout(60_000);

/*
 * Projections against a real redis-server (hard rule 4). Each test takes a fresh logical DB of one server, so the
 * unprefixed legacy keys of one test never meet another's. Expected values are computed here from the events,
 * independently of the apply script, and compared exactly.
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

/** (venueTime, venue, numeric-or-text id), descending: newest first. */
function newestFirst(a: TradeV1, b: TradeV1): number {
  if (a.venueTimeUs !== b.venueTimeUs) return b.venueTimeUs - a.venueTimeUs;
  if (a.venue !== b.venue) return a.venue < b.venue ? 1 : -1;
  const num = /^\d+$/;
  if (num.test(a.tradeId) && num.test(b.tradeId)) {
    const x = BigInt(a.tradeId);
    const y = BigInt(b.tradeId);
    return x < y ? 1 : x > y ? -1 : 0;
  }
  return a.tradeId < b.tradeId ? 1 : a.tradeId > b.tradeId ? -1 : 0;
}

/** The legacy timestamp, built independently of the library: ISO UTC, six fraction digits, "+00:00". */
function isoPlus00(us: number): string {
  const secs = Math.floor(us / 1e6);
  return `${new Date(secs * 1000).toISOString().slice(0, 19)}.${String(us - secs * 1e6).padStart(6, '0')}+00:00`;
}

const ENTRY_RE = /^\{"price": \d+(\.\d+)?, "timestamp": "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00", "volume": (\d+\.\d+|\de-\d{2})(, "exchange": "[a-z]+")?\}$/;

function counts(r: ApplyResult, type: string): { applied: number; duplicates: number; skipped: number } {
  return r.counts[type] ?? { applied: 0, duplicates: 0, skipped: 0 };
}

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await dbs.closeAll();
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
});

describe('given a batch applied through BatchApplier to a real Redis', () => {
  it('when the same batch is applied twice then the second run changes nothing and reports only duplicates', async () => {
    const r = await freshDb();
    const applier = new BatchApplier(r, context());
    const batch = seqd([
      trade({ tradeId: '100', venueTimeUs: T0 }),
      trade({ tradeId: '101', venueTimeUs: T0 + 1_000, price: '60002.5' }),
      trade({ venue: 'okx', tradeId: '555', venueTimeUs: T0 + 500 }),
      trade({ venue: 'bybit', tradeId: 'f00d-1', venueTimeUs: T0 + 700 }),
      status({ recvTimeUs: T0 + 2_000 }),
      quote(T0),
      gap(T0),
    ]);
    const first = await applier.apply(batch);
    expect(counts(first, 'trade')).toEqual({ applied: 4, duplicates: 0, skipped: 0 });
    expect(counts(first, 'status')).toEqual({ applied: 1, duplicates: 0, skipped: 0 });
    expect(counts(first, 'quote')).toEqual({ applied: 1, duplicates: 0, skipped: 0 });
    expect(counts(first, 'gap')).toEqual({ applied: 0, duplicates: 0, skipped: 1 });
    expect(JSON.parse((await r.hget(`${PREFIX}latest:quote:BTC-USDT:binance`, 'v')) ?? '{}')).toEqual(quote(T0));
    const before = await dumpState(r, families);

    const second = await applier.apply(batch);
    expect(counts(second, 'trade')).toEqual({ applied: 0, duplicates: 4, skipped: 0 });
    expect(counts(second, 'status')).toEqual({ applied: 0, duplicates: 1, skipped: 0 });
    expect(counts(second, 'quote')).toEqual({ applied: 0, duplicates: 1, skipped: 0 });
    expect(counts(second, 'gap')).toEqual({ applied: 0, duplicates: 0, skipped: 1 });
    expect(await dumpState(r, families)).toEqual(before);
  });

  it('when quotes arrive in any order then the latest quote is the one with the greatest venue time', async () => {
    const r = await freshDb();
    const applier = new BatchApplier(r, context());
    const older = quote(T0);
    const newer = { ...quote(T0 + 1_000), id: 'quote:binance:BTC-USDT:400900218', updateId: '400900218', bidPrice: '60002' };
    await applier.apply(seqd([newer]));
    const res = await applier.apply(seqd([older]));
    expect(counts(res, 'quote')).toEqual({ applied: 0, duplicates: 1, skipped: 0 });
    expect(JSON.parse((await r.hget(`${PREFIX}latest:quote:BTC-USDT:binance`, 'v')) ?? '{}')).toEqual(newer);
  });

  it('when one batch holds the same trade twice then it is applied once', async () => {
    const r = await freshDb();
    const t = trade({ tradeId: '7', venueTimeUs: T0 });
    const res = await new BatchApplier(r, context()).apply(seqd([t, t, t]));
    expect(counts(res, 'trade')).toEqual({ applied: 1, duplicates: 2, skipped: 0 });
    expect(await r.zcard(keys.recentTrades('BTC-USDT'))).toBe(1);
    expect(await r.llen('btc_movement_history')).toBe(1);
  });

  it('when trades arrive in any order then latest-trade holds the greatest (venue time, venue, id)', async () => {
    const ts = [
      trade({ tradeId: '10', venueTimeUs: T0 + 1_000, price: '60010' }),
      trade({ tradeId: '12', venueTimeUs: T0 + 2_000, price: '60012' }), // greatest: latest time, then greatest id
      trade({ tradeId: '11', venueTimeUs: T0 + 2_000, price: '60011' }),
      trade({ tradeId: '13', venueTimeUs: T0 + 1_500, price: '60013' }), // greatest id, but older
    ];
    const greatest = ts[1] as TradeV1;
    for (const order of [ts, [...ts].reverse(), [ts[2], ts[3], ts[1], ts[0]]] as TradeV1[][]) {
      for (const batching of ['one batch', 'one by one']) {
        const r = await freshDb();
        const a = new BatchApplier(r, context());
        if (batching === 'one batch') await a.apply(seqd(order));
        else for (const [i, t] of order.entries()) await a.apply([{ ev: t, seq: i + 1 }]);
        expect(await r.hgetall(keys.latestTrade('BTC-USDT', 'binance'))).toEqual({
          k: '1795939333012918:binance:00000000000000000012',
          v: JSON.stringify(greatest),
        });
      }
    }
  });

  it('when more trades than recentTradesMax are applied then the newest N remain, ordered, scored by venue time', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context({ recentTradesMax: 5 }));
    const rand = mulberry32(7);
    const ts = Array.from({ length: 12 }, (_, i) => trade({ venue: i % 3 === 0 ? 'okx' : 'binance', tradeId: String(1_000 + i), venueTimeUs: T0 + Math.floor(i / 2) * 1_000 }));
    const shuffled = shuffle(ts, rand);
    await a.apply(seqd(shuffled.slice(0, 7)));
    await a.apply(seqd(shuffled.slice(7), 8));
    const expected = [...ts].sort(newestFirst).slice(0, 5).reverse();
    const flat = await r.zrange(keys.recentTrades('BTC-USDT'), '0', '-1', 'WITHSCORES');
    const pairs: Array<[string, string]> = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as string, flat[i + 1] as string]);
    expect(pairs.map(([m]) => JSON.parse(m.slice(m.indexOf('|') + 1)) as TradeV1)).toEqual(expected);
    expect(pairs.map(([, s]) => s)).toEqual(expected.map((t) => String(t.venueTimeUs)));
  });
});

describe('given the legacy v3 keys', () => {
  it('when Binance BTC-USDT trades are applied then every key has the old format and the exact values', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context());
    await a.apply(
      seqd([
        trade({ tradeId: '1', price: '60001.26', size: '0.01', venueTimeUs: T0 }),
        trade({ tradeId: '2', price: '60001', size: '0.00001', venueTimeUs: T0 + 9 }),
        trade({ tradeId: '3', price: '59999.99', size: '1.5', venueTimeUs: T0 + 1_000_000 }),
      ]),
    );
    const price = await r.get('last_btc_price');
    const time = await r.get('last_btc_update_time');
    const hist = await r.lrange('btc_movement_history', 0, -1);
    expect(price).toMatch(/^\d+\.\d+$/);
    expect(price).toBe('59999.99');
    expect(time).toMatch(/^\d{10}\.\d{6}$/);
    expect(time).toBe('1795939334.010918');
    for (const e of hist) expect(e).toMatch(ENTRY_RE);
    expect(hist).toEqual([
      '{"price": 59999.99, "timestamp": "2026-11-29T08:02:14.010918+00:00", "volume": 1.5}',
      '{"price": 60001.0, "timestamp": "2026-11-29T08:02:13.010927+00:00", "volume": 1e-05}',
      '{"price": 60001.26, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 0.01}',
    ]);
    expect(await r.exists('current_exchange')).toBe(0);
    for (const k of ['last_btc_price', 'last_btc_update_time', 'btc_movement_history']) expect(await r.ttl(k)).toBe(-1);
    expect(await r.type('last_btc_price')).toBe('string');
    expect(await r.type('btc_movement_history')).toBe('list');
    // Every key written belongs to a registered family, and the dump covers them.
    await expect(dumpState(r, families)).resolves.toHaveProperty(['btc_movement_history']);
  });

  it('when the newest trade arrives first then a late older one slots in by venue time and the last price stays', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context());
    await a.apply(seqd([trade({ tradeId: '20', price: '60020', venueTimeUs: T0 + 20_000 })]));
    await a.apply(seqd([trade({ tradeId: '10', price: '60010', venueTimeUs: T0 + 10_000 }), trade({ tradeId: '30', price: '60030', venueTimeUs: T0 + 30_000 })], 2));
    await a.apply(seqd([trade({ tradeId: '15', price: '60015', venueTimeUs: T0 + 15_000 })], 4));
    expect(await r.get('last_btc_price')).toBe('60030.0');
    expect(await r.get('last_btc_update_time')).toBe('1795939333.040918');
    expect((await r.lrange('btc_movement_history', 0, -1)).map((e) => (JSON.parse(e) as { price: number }).price)).toEqual([60030, 60020, 60015, 60010]);
  });

  it('when more than 1000 legacy trades are applied then the history keeps the 1000 newest, newest first', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context());
    const ts = Array.from({ length: 1_100 }, (_, i) => trade({ tradeId: String(5_000 + i), price: `${60000 + i}.5`, venueTimeUs: T0 + i * 1_000 }));
    for (let i = 0; i < ts.length; i += 300) await a.apply(seqd(ts.slice(i, i + 300), i + 1));
    const hist = await r.lrange('btc_movement_history', 0, -1);
    expect(hist).toHaveLength(1_000);
    expect(hist[0]).toBe(`{"price": 61099.5, "timestamp": "${isoPlus00(T0 + 1_099_000)}", "volume": 0.01}`);
    expect(hist[999]).toBe(`{"price": 60100.5, "timestamp": "${isoPlus00(T0 + 100_000)}", "volume": 0.01}`);
    expect(await r.zcard(keys.legacyHistoryIndex())).toBe(1_000);
  });

  it('when a string marker from an earlier version exists then it is converted and still orders the legacy keys', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context());
    await r.set(keys.legacyLastMarker(), '1795939333020918:binance:00000000000000000050'); // newest applied so far: T0 + 10 ms
    await r.set('last_btc_price', '60050.0');
    await a.apply(seqd([trade({ tradeId: '40', price: '60040', venueTimeUs: T0 + 5_000 })]));
    expect(await r.get('last_btc_price')).toBe('60050.0'); // older than the marker: not the last price
    await a.apply(seqd([trade({ tradeId: '60', price: '60060', venueTimeUs: T0 + 15_000 })], 2));
    expect(await r.get('last_btc_price')).toBe('60060.0');
    expect(await r.type(keys.legacyLastMarker())).toBe('zset');
    expect(await r.zrange(keys.legacyLastMarker(), '0', '-1')).toEqual(['1795939333025918:binance:00000000000000000060']);
    await expect(dumpState(r, families)).resolves.toBeDefined();
  });

  it('when the source is not the default venue then entries carry "exchange" and current_exchange names it', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context({ legacy: { venue: 'kraken', symbol: 'BTC-USD' } }));
    await a.apply(seqd([trade({ venue: 'kraken', symbol: 'BTC-USD', tradeId: '77', price: '60001.26', size: '0.01', venueTimeUs: T0 })]));
    expect(await r.get('current_exchange')).toBe('kraken');
    expect(await r.lrange('btc_movement_history', 0, -1)).toEqual([
      '{"price": 60001.26, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 0.01, "exchange": "kraken"}',
    ]);
    expect(await r.get('last_btc_price')).toBe('60001.26');
  });

  it('when trades come from another venue, another symbol or the simulator then no legacy key is written', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context());
    await a.apply(
      seqd([
        trade({ venue: 'okx', tradeId: '1', venueTimeUs: T0 }),
        trade({ symbol: 'ETH-USDT', tradeId: '2', venueTimeUs: T0 }),
        trade({ venue: 'coinbase', symbol: 'BTC-USD', tradeId: '3', venueTimeUs: T0 }),
        trade({ tradeId: '4', source: 'simulated', venueTimeUs: T0 }),
      ]),
    );
    for (const k of ['last_btc_price', 'last_btc_update_time', 'btc_movement_history', 'current_exchange']) expect(await r.exists(k)).toBe(0);
    expect(await r.exists(keys.legacyHistoryIndex())).toBe(0);
    // The trades themselves are projected.
    expect(await r.zcard(keys.recentTrades('BTC-USDT'))).toBe(2);
  });

  it('when simulated trades are explicitly allowed then they feed the legacy keys', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context({ legacy: { allowSimulated: true } }));
    await a.apply(seqd([trade({ tradeId: '4', source: 'simulated', price: '123.45', venueTimeUs: T0 })]));
    expect(await r.get('last_btc_price')).toBe('123.45');
  });

  it('when the legacy contract is switched off then no legacy key is written', async () => {
    const r = await freshDb();
    await new BatchApplier(r, context({ legacy: { enabled: false } })).apply(seqd([trade({ tradeId: '4', venueTimeUs: T0 })]));
    for (const k of ['last_btc_price', 'last_btc_update_time', 'btc_movement_history', 'current_exchange']) expect(await r.exists(k)).toBe(0);
  });
});

describe('given a subscriber on the btc_price channel', () => {
  it('when legacy trades are newly applied then each is published once; duplicates and replays publish nothing', async () => {
    const r = await freshDb();
    const sub = client(0);
    const got: string[] = [];
    sub.on('message', (ch: string, m: string) => {
      if (ch === 'btc_price') got.push(m);
    });
    await sub.subscribe('btc_price');

    const live = new BatchApplier(r, context());
    const batch = seqd([
      trade({ tradeId: '1', price: '60001.26', venueTimeUs: T0 }),
      trade({ venue: 'okx', tradeId: '9', venueTimeUs: T0 }), // not the legacy source
      trade({ tradeId: '3', price: '60003', venueTimeUs: T0 + 2_000 }),
      trade({ tradeId: '2', price: '60002', venueTimeUs: T0 + 1_000 }), // late but new: published too
    ]);
    await live.apply(batch);
    await live.apply(batch); // redelivery: all duplicates
    await new BatchApplier(r, context({ publish: false })).apply(seqd([trade({ tradeId: '4', price: '60004', venueTimeUs: T0 + 3_000 })], 10)); // replay
    // Barrier: pub/sub is ordered per connection, so once this one arrives nothing earlier is still in flight.
    await live.apply(seqd([trade({ tradeId: '5', price: '60005', venueTimeUs: T0 + 4_000 })], 20));
    await waitFor(() => got.length >= 4, { what: 'four btc_price messages', timeoutMs: 5_000 });
    await new Promise((res) => setTimeout(res, 100));
    expect(got).toEqual([
      '{"price": 60001.26, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 0.01}',
      '{"price": 60003.0, "timestamp": "2026-11-29T08:02:13.012918+00:00", "volume": 0.01}',
      '{"price": 60002.0, "timestamp": "2026-11-29T08:02:13.011918+00:00", "volume": 0.01}',
      '{"price": 60005.0, "timestamp": "2026-11-29T08:02:13.014918+00:00", "volume": 0.01}',
    ]);
    // The replayed trade was projected all the same.
    expect((await r.lrange('btc_movement_history', 0, -1)).map((e) => (JSON.parse(e) as { price: number }).price)).toEqual([60005, 60004, 60003, 60002, 60001.26]);
    await sub.unsubscribe('btc_price');
  });
});

describe('given status events', () => {
  it('when heartbeats of two ingests arrive out of order then each ingest keeps its newest', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context());
    const sa = [1, 3, 2].map((s) => status({ ingestId: 'ingest-a', recvTimeUs: T0 + s * 1_000_000, frames: s }));
    const sb = [5, 4].map((s) => status({ ingestId: 'ingest-b', recvTimeUs: T0 + s * 1_000_000, frames: s, state: 'stale' }));
    await a.apply(seqd([sa[0], sb[0], sa[1]] as StreamStatusV1[]));
    await a.apply(seqd([sa[2], sb[1]] as StreamStatusV1[], 4));
    expect(await r.hgetall(keys.status('BTC-USDT', 'binance', 'trade'))).toEqual({
      'ingest-a': JSON.stringify(sa[1]),
      'ingest-a:t': String(T0 + 3_000_000),
      'ingest-b': JSON.stringify(sb[0]),
      'ingest-b:t': String(T0 + 5_000_000),
    });
  });

  it('when a change and a heartbeat carry the same receive time then the result does not depend on their order', async () => {
    // StreamTracker.tick() emits a "change" (live -> stale) and a "heartbeat" stamped with the same µs.
    const change = status({ kind: 'change', state: 'stale', recvTimeUs: T0, reason: 'no frame for 5000 ms' });
    const beat = status({ kind: 'heartbeat', state: 'stale', recvTimeUs: T0 });
    const r1 = await freshDb();
    const r2 = await freshDb();
    await new BatchApplier(r1, context()).apply(seqd([change, beat]));
    await new BatchApplier(r2, context()).apply(seqd([beat, change]));
    expect(await dumpState(r1, families)).toEqual(await dumpState(r2, families));
  });
});

describe('given dedupe marks (decision 2)', () => {
  it('when trades with numeric and non-numeric ids are applied then both mark kinds expire (TTL > 0, <= configured)', async () => {
    const r = await freshDb();
    await new BatchApplier(r, context({ dedupeTtlSeconds: 3_600 })).apply(
      seqd([trade({ tradeId: '9007199254740993', venueTimeUs: T0 }), trade({ venue: 'bybit', tradeId: 'a3f1-77', venueTimeUs: T0 })]),
    );
    const bits = keys.dedupeBits('trade:binance:BTC-USDT', 8_589_934_592n);
    const set = keys.dedupeSet('trade:bybit:BTC-USDT', 498_872);
    expect(await r.getbit(bits, 1)).toBe(1);
    expect(await r.sismember(set, 'a3f1-77')).toBe(1);
    for (const k of [bits, set]) {
      const ttl = await r.ttl(k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(3_600);
    }
  });
});

describe('given ~3,000 trades applied in three different ways (decision 5, hard rule 2)', () => {
  it('when applied in order, shuffled in random batches, and by two concurrent appliers then the three states are identical', async () => {
    const rand = mulberry32(424242);
    const unique: TradeV1[] = [];
    // Binance ids straddle 2^53 (exact dedupe and ordering needed); OKX ids are small. Three trades per ms, and
    // the two venues share many venue times.
    const b0 = 2n ** 53n - 900n;
    for (let i = 0; i < 1_800; i++) {
      unique.push(trade({ tradeId: String(b0 + BigInt(i)), price: `${60000 + Math.floor(i / 10)}.${i % 10}1`, size: `0.0${(i % 9) + 1}`, venueTimeUs: T0 + Math.floor(i / 3) * 1_000 }));
    }
    for (let i = 0; i < 1_170; i++) {
      unique.push(trade({ venue: 'okx', tradeId: String(700_000 + i), price: `${60100 + (i % 50)}.5`, venueTimeUs: T0 + Math.floor(i / 2) * 1_000 + (i % 2 ? 0 : 333) }));
    }
    const statuses: StreamStatusV1[] = [];
    for (let s = 0; s < 20; s++) {
      for (const ingestId of ['ingest-a', 'ingest-b']) {
        const at = T0 + s * 1_000_000 + (ingestId === 'ingest-b' ? 17 : 0);
        statuses.push(status({ ingestId, recvTimeUs: at, frames: s }));
        if (s % 5 === 4) statuses.push(status({ ingestId, kind: 'change', state: 'stale', recvTimeUs: at, frames: s, reason: 'quiet' }));
      }
    }
    const dups = Array.from({ length: 30 }, () => unique[Math.floor(rand() * unique.length)] as TradeV1);
    // The "log": time order within each venue, venues interleaved, duplicates (redeliveries) at random later places.
    const log: MarketEventV1[] = shuffle([...unique, ...statuses], rand).sort((x, y) => {
      const tx = x.type === 'trade' ? x.venueTimeUs : x.recvTimeUs;
      const ty = y.type === 'trade' ? y.venueTimeUs : y.recvTimeUs;
      return tx - ty;
    });
    for (const d of dups) log.splice(Math.floor(rand() * (log.length + 1)), 0, d);
    const events = seqd(log);
    expect(events.length).toBeGreaterThan(3_000);
    const ctx: ApplyContext = context({ recentTradesMax: 700, publish: false });

    // (a) in order, batches of 500
    const ra = await freshDb();
    const aa = new BatchApplier(ra, ctx);
    for (let i = 0; i < events.length; i += 500) await aa.apply(events.slice(i, i + 500));

    // (b) a random permutation in random batch sizes
    const rb = await freshDb();
    const ab = new BatchApplier(rb, ctx);
    const perm = shuffle(events, rand);
    for (let i = 0; i < perm.length; ) {
      const n = 1 + Math.floor(rand() * 400);
      await ab.apply(perm.slice(i, i + n));
      i += n;
    }

    // (c) split at random between two appliers on two connections, running concurrently
    const rc = await freshDb();
    const rc2 = client(Number(rc.options.db));
    const left: SequencedEvent[] = [];
    const right: SequencedEvent[] = [];
    for (const e of events) (rand() < 0.5 ? left : right).push(e);
    const run = async (r: Redis, part: SequencedEvent[]) => {
      const ap = new BatchApplier(r, ctx);
      for (let i = 0; i < part.length; i += 97) {
        await ap.apply(part.slice(i, i + 97));
        await new Promise((res) => setImmediate(res));
      }
    };
    await Promise.all([run(rc, left), run(rc2, right)]);

    const [da, db, dc] = await Promise.all([dumpState(ra, families), dumpState(rb, families), dumpState(rc, families)]);
    expect(Object.keys(da).length).toBeGreaterThan(5);
    expect(db).toEqual(da);
    expect(dc).toEqual(da);

    // The legacy list is the 1000 newest Binance trades by (venue time, trade id), newest first.
    const expectedLegacy = unique.filter((t) => t.venue === 'binance').sort(newestFirst).slice(0, 1_000);
    const hist = da['btc_movement_history'] as string[];
    expect(hist).toHaveLength(1_000);
    expect(hist.map((e) => JSON.parse(e) as { price: number; timestamp: string; volume: number })).toEqual(
      expectedLegacy.map((t) => ({ price: Number(t.price), timestamp: isoPlus00(t.venueTimeUs), volume: Number(t.size) })),
    );
    for (const e of hist) expect(e).toMatch(ENTRY_RE);
    const newest = expectedLegacy[0] as TradeV1;
    expect(da['last_btc_price']).toBe(newest.price);
    expect(da['last_btc_update_time']).toBe(`${Math.floor(newest.venueTimeUs / 1e6)}.${String(newest.venueTimeUs % 1e6).padStart(6, '0')}`);

    // Recent trades: the 700 newest across both venues.
    const recent = da[keys.recentTrades('BTC-USDT')] as Array<[string, string]>;
    expect(recent.map(([m]) => (JSON.parse(m.slice(m.indexOf('|') + 1)) as TradeV1).id)).toEqual(
      [...unique].sort(newestFirst).slice(0, 700).reverse().map((t) => t.id),
    );
    // Checkpoint: the highest sequence of the log.
    expect(da[keys.checkpoint('main')]).toEqual({ seq: String(events.length) });
  });
});

describe('given a script projection beside the main script', () => {
  // A stand-in idempotent projection: the max venue time per symbol seen in trades (a max-register).
  const maxTime: ScriptProjection = {
    name: 'max-time',
    lua: `for i = 1, #ARGV, 2 do
  local cur = tonumber(redis.call('HGET', ARGV[i], 't') or '-1')
  if cur < tonumber(ARGV[i + 1]) then redis.call('HSET', ARGV[i], 't', ARGV[i + 1]) end
end
return 1`,
    args: (batch) => {
      const out = batch.flatMap(({ ev }) => (ev.type === 'trade' ? [`${PREFIX}test:max:${ev.symbol}`, String(ev.venueTimeUs)] : []));
      return out.length ? out : undefined;
    },
  };

  it('when a batch is applied then both scripts ran, the main flags still count, and a batch with nothing for it skips it', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context(), [maxTime]);
    const res = await a.apply(seqd([trade({ tradeId: '1', venueTimeUs: T0 + 5 }), trade({ tradeId: '2', venueTimeUs: T0 + 9 })]));
    expect(counts(res, 'trade')).toEqual({ applied: 2, duplicates: 0, skipped: 0 });
    expect(await r.hget(`${PREFIX}test:max:BTC-USDT`, 't')).toBe(String(T0 + 9));
    expect(counts(await a.apply(seqd([status({ recvTimeUs: T0 })])), 'status')).toEqual({ applied: 1, duplicates: 0, skipped: 0 });
  });

  it('when Redis lost its script cache (SCRIPT FLUSH) then both scripts are reloaded and the batch applies', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context(), [maxTime]);
    await a.apply(seqd([trade({ tradeId: '1', venueTimeUs: T0 })]));
    await r.script('FLUSH');
    const res = await a.apply(seqd([trade({ tradeId: '2', venueTimeUs: T0 + 7 })], 2));
    expect(counts(res, 'trade')).toEqual({ applied: 1, duplicates: 0, skipped: 0 });
    expect(await r.hget(`${PREFIX}test:max:BTC-USDT`, 't')).toBe(String(T0 + 7));
  });
});

describe('given Redis refuses or loses the write', () => {
  it('when one event hits a key of the wrong type then RefusedError, and only that event keeps failing when isolated', async () => {
    const r = await freshDb();
    const a = new BatchApplier(r, context());
    const good1 = trade({ venue: 'okx', tradeId: '1', venueTimeUs: T0 });
    const bad = trade({ venue: 'coinbase', symbol: 'BTC-USD', tradeId: '2', venueTimeUs: T0 });
    const good2 = trade({ tradeId: '3', venueTimeUs: T0 });
    await r.set(keys.latestTrade('BTC-USD', 'coinbase'), 'not a hash');

    const err = await a.apply(seqd([good1, bad, good2])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as RefusedError).code).toBe('REDIS_REFUSED');
    expect((err as Error).message).toMatch(/WRONGTYPE/);

    // Nothing of the refused batch was written: no projection, no dedupe mark.
    expect(await r.zcard(keys.recentTrades('BTC-USDT'))).toBe(0);
    expect(await r.keys(`${PREFIX}*`)).toEqual([keys.latestTrade('BTC-USD', 'coinbase')]);
    expect(await r.exists('btc_movement_history', 'last_btc_price')).toBe(0);

    // The persister then applies the events one by one (apps/persister handle-batch): the bad one must be refused
    // again (so it is dead-lettered), not mistaken for an already-applied duplicate; the others apply.
    expect(counts(await a.apply(seqd([good1])), 'trade')).toEqual({ applied: 1, duplicates: 0, skipped: 0 });
    await expect(a.apply(seqd([bad]))).rejects.toBeInstanceOf(RefusedError);
    expect(counts(await a.apply(seqd([good2])), 'trade')).toEqual({ applied: 1, duplicates: 0, skipped: 0 });
    expect(await r.lrange('btc_movement_history', 0, -1)).toHaveLength(1);

    // Once the foreign key is gone the event applies as new: it was never marked as applied.
    await r.del(keys.latestTrade('BTC-USD', 'coinbase'));
    expect(counts(await a.apply(seqd([bad])), 'trade')).toEqual({ applied: 1, duplicates: 0, skipped: 0 });
    expect(await r.hget(keys.latestTrade('BTC-USD', 'coinbase'), 'v')).toBe(JSON.stringify(bad));
  });

  it('when the redis-server goes away mid-test then apply fails with TransientError', async () => {
    const own = await startRedis();
    const r = createRedisClient({ host: '127.0.0.1', port: own.port, db: 0, tls: false, tlsVerify: true }, { name: 'applier-spec', failFast: true });
    await r.connect();
    const a = new BatchApplier(r, context());
    expect(counts(await a.apply(seqd([trade({ tradeId: '1' })])), 'trade').applied).toBe(1);
    await own.stop();
    await waitFor(() => r.status !== 'ready', { what: 'the client to notice the outage', timeoutMs: 5_000 });
    const err = await a.apply(seqd([trade({ tradeId: '2' })], 2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).code).toBe('REDIS_UNAVAILABLE');
    expect(err).not.toBeInstanceOf(RefusedError);

    // The server comes back empty (no persistence): the script cache is gone too, and the applier reloads it.
    await own.restart();
    await waitFor(() => r.status === 'ready', { what: 'the client to reconnect', timeoutMs: 10_000 });
    expect(counts(await a.apply(seqd([trade({ tradeId: '2' })], 2)), 'trade')).toEqual({ applied: 1, duplicates: 0, skipped: 0 });
    await r.quit();
    await own.dispose();
  });
});
