import { Keys, dumpState, keyFamilies } from '@feed/keys';
import { fromScaled, type MarketEventV1, type QuoteV1, type StreamStatusV1, type TradeV1, type VenueId } from '@feed/price-types';
import { RedisDbs, cleanupAll, registry, shuffle, startRedis, type RedisServerHandle } from '@feed/testing';
import { mulberry32 } from '@feed/venue-sim';
import { Redis } from 'ioredis';
import { BatchApplier } from './applier';
import type { SequencedEvent } from './batch-args';
import { serializeIndexMinute, serializeIndexValue, type IndexValueV1 } from './index-compute';
import { modelIndexState } from './index-model';
import { indexProjection, type IndexBatchResult } from './index-projection';
import type { IndexSettings } from './index-settings';
import { PREFIX, context } from './fixtures/events';

jest.setTimeout(120_000);

/*
 * The index script against a real redis-server (hard rule 4). Expected values come from the in-memory model
 * (index-model.ts over index-compute.ts), never from Redis; the script must match it byte for byte, whatever the
 * order, batching, repetition or number of concurrent appliers.
 */

const keys = new Keys(PREFIX);
const families = keyFamilies(PREFIX);
let server: RedisServerHandle;
const dbs = new RedisDbs(() => server.port);

const S0 = 1_795_939_300; // first second of the generated market
const US = 1_000_000;

const settings: IndexSettings = {
  enabled: true,
  indices: [
    { symbol: 'BTC-USD', venues: ['coinbase', 'kraken', 'bitstamp'] },
    { symbol: 'BTC-USDT', venues: ['binance', 'okx'] },
  ],
  staleMs: 3_000,
  lookbackMs: 5_000,
  maxDeviationBps: 50,
  minConstituents: 2,
  historySeconds: 25,
  watermarkDelayMs: 500,
  maxAheadMs: 2_000,
};

const freshDb = (): Promise<Redis> => dbs.fresh();

let ids = 0;

function quoteEv(venue: VenueId, symbol: string, venueTimeUs: number, bid: string, ask: string, recvLagUs = 1_000): QuoteV1 {
  const u = String(++ids);
  return { v: 1, type: 'quote', id: `quote:${venue}:${symbol}:${u}`, venue, symbol, source: venue === 'kraken' ? 'live' : 'simulated', recvTimeUs: venueTimeUs + recvLagUs, bidPrice: bid, bidSize: '1', askPrice: ask, askSize: '2', venueTimeUs, updateId: u };
}

function tradeEv(venue: VenueId, symbol: string, venueTimeUs: number, price: string, recvLagUs = 1_000): TradeV1 {
  const id = String(++ids);
  return { v: 1, type: 'trade', id: `trade:${venue}:${symbol}:${id}`, venue, symbol, source: venue === 'kraken' ? 'live' : 'simulated', recvTimeUs: venueTimeUs + recvLagUs, tradeId: id, price, size: '0.1', side: 'buy', venueTimeUs };
}

function heartbeat(venue: VenueId, symbol: string, recvTimeUs: number): StreamStatusV1 {
  return { v: 1, type: 'status', id: `status:${venue}:${symbol}:trade-hb-i1-${Math.floor(recvTimeUs / US)}`, venue, symbol, source: 'simulated', recvTimeUs, channel: 'trade', kind: 'heartbeat', state: 'live', ingestId: 'i1', lastFrameUs: recvTimeUs - 1, frames: 1 };
}

/**
 * A 40-second market on both indices: quotes and trades at random times, one venue drifting away from the others
 * (deviation gate), one going quiet for a while (staleness gate), heartbeats every second per stream.
 */
function market(seed: number): MarketEventV1[] {
  const rand = mulberry32(seed);
  const out: MarketEventV1[] = [];
  const all: Array<[VenueId, string]> = [
    ['coinbase', 'BTC-USD'],
    ['kraken', 'BTC-USD'],
    ['bitstamp', 'BTC-USD'],
    ['binance', 'BTC-USDT'],
    ['okx', 'BTC-USDT'],
  ];
  for (let s = 0; s < 40; s++) {
    for (const [venue, symbol] of all) {
      out.push(heartbeat(venue, symbol, (S0 + s) * US + Math.floor(rand() * 1_000)));
      if (venue === 'kraken' && s >= 12 && s < 22) continue; // quiet: stale, then no data
      const base = 60_000 + s * 3 + (venue === 'bitstamp' && s >= 15 ? 800 : 0); // bitstamp drifts ~1.3 % away
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) {
        const t = (S0 + s) * US + Math.floor(rand() * US);
        const cents = BigInt(base * 100 + Math.floor(rand() * 400));
        const bid = fromScaled(cents, 2);
        const ask = fromScaled(cents + 1n + BigInt(Math.floor(rand() * 3)), 2);
        if (venue === 'okx' && rand() < 0.5) out.push(tradeEv(venue, symbol, t, bid));
        else out.push(quoteEv(venue, symbol, t, bid, ask));
        if (rand() < 0.3) out.push(tradeEv(venue, symbol, t + 17, ask));
      }
    }
  }
  return out;
}

function seqd(events: MarketEventV1[]): SequencedEvent[] {
  return events.map((ev, i) => ({ ev, seq: i + 1 }));
}

async function applyIn(r: Redis, batches: SequencedEvent[][], results?: IndexBatchResult[]): Promise<void> {
  const a = new BatchApplier(r, context({ legacy: { enabled: false } }), [indexProjection(settings, keys, (x) => results?.push(...x))]);
  for (const b of batches) await a.apply(b);
}

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

async function indexHistory(r: Redis, symbol: string): Promise<string[]> {
  return r.zrange(keys.indexHistory(symbol), '0', '-1');
}

function modelHistory(events: MarketEventV1[], symbol: string): string[] {
  return (modelIndexState(events, settings).get(symbol)?.history ?? []).map(serializeIndexValue);
}

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await dbs.closeAll();
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
});

describe('given the index projection applied to a real Redis', () => {
  const events = market(7);
  const seq = seqd(events);

  it('when the log is applied in order then the history equals the model, with every gate exercised', async () => {
    const r = await freshDb();
    await applyIn(r, chunks(seq, 11));
    for (const symbol of ['BTC-USD', 'BTC-USDT']) {
      const want = modelHistory(events, symbol);
      expect(want.length).toBeGreaterThan(20);
      expect(await indexHistory(r, symbol)).toEqual(want);
    }
    for (const symbol of ['BTC-USD', 'BTC-USDT']) {
      const bars = (modelIndexState(events, settings).get(symbol)?.minutes ?? []).map(serializeIndexMinute);
      expect(bars.length).toBeGreaterThanOrEqual(1);
      expect(await r.zrange(keys.indexMinutes(symbol), '0', '-1')).toEqual(bars);
    }
    const usd = modelIndexState(events, settings).get('BTC-USD') as { history: IndexValueV1[]; watermark: number };
    expect(await r.get(keys.indexWatermark('BTC-USD'))).toBe(String(usd.watermark));
    const reasons = new Set(usd.history.flatMap((v) => v.constituents.map((c) => c.reason)));
    expect([...reasons].sort()).toEqual(['deviation', null, 'no_data', 'stale'].sort());
    expect(usd.history.some((v) => v.degraded)).toBe(true);
    expect(usd.history.some((v) => !v.degraded)).toBe(true);
  });

  it('when the log is shuffled, redelivered and applied by two concurrent appliers then the whole dump equals the in-order one and a replay', async () => {
    const inOrder = await freshDb();
    await applyIn(inOrder, chunks(seq, 11));
    const want = await dumpState(inOrder, families);

    const rand = mulberry32(99);
    const shuffled = await freshDb();
    await applyIn(shuffled, chunks(shuffle([...seq, ...shuffle(seq, rand).slice(0, 150)], rand), 13));
    expect(await dumpState(shuffled, families)).toEqual(want);

    const two = await freshDb();
    const both = chunks(shuffle(seq, rand), 5);
    const other = dbs.client(Number(two.options.db ?? 0));
    await Promise.all([applyIn(two, both.filter((_, i) => i % 2 === 0)), applyIn(other, both.filter((_, i) => i % 2 === 1))]);
    expect(await dumpState(two, families)).toEqual(want);

    const replay = await freshDb();
    await applyIn(replay, [seq]);
    expect(await dumpState(replay, families)).toEqual(want);
  });

  it('when the same batch is delivered twice then the second run computes nothing and changes nothing', async () => {
    const r = await freshDb();
    const results: IndexBatchResult[] = [];
    const batch = seq.slice(0, 200);
    await applyIn(r, [batch], results);
    const before = await dumpState(r, families);
    const first = results.find((x) => x.symbol === 'BTC-USD') as IndexBatchResult;
    expect(first.computed).toBeGreaterThan(0);
    results.length = 0;
    await applyIn(r, [batch], results);
    expect(results.find((x) => x.symbol === 'BTC-USD')?.computed).toBe(0);
    expect(await dumpState(r, families)).toEqual(before);
  });
});

describe('given computed grid seconds when a late input arrives', () => {
  it('then the seconds from its bucket to bucket + lookback (up to the watermark) are recomputed, and only those', async () => {
    const r = await freshDb();
    const base: MarketEventV1[] = [];
    for (let s = 0; s < 12; s++) {
      base.push(heartbeat('coinbase', 'BTC-USD', (S0 + s) * US + 600_000));
      base.push(quoteEv('coinbase', 'BTC-USD', (S0 + s) * US + 100, '100', '100.02'));
      base.push(quoteEv('kraken', 'BTC-USD', (S0 + s) * US + 200, '100.1', '100.12'));
    }
    await applyIn(r, [seqd(base)]);
    const before = await indexHistory(r, 'BTC-USD');
    // Watermark = floor(S0 + 11.6 - 0.5) = S0 + 11. A bitstamp quote at S0 + 3.5 s lands in bucket S0 + 4.
    const late = quoteEv('bitstamp', 'BTC-USD', (S0 + 3) * US + 500_000, '100.2', '100.22', 9 * US);
    const results: IndexBatchResult[] = [];
    await applyIn(r, [[{ ev: late, seq: 999 }]], results);
    expect(results).toEqual([expect.objectContaining({ symbol: 'BTC-USD', computed: 6, late: 0, future: 0 })]);
    const after = await indexHistory(r, 'BTC-USD');
    expect(after).toEqual(modelHistory([...base, late], 'BTC-USD'));
    // The minute bar of those seconds is revised with them.
    expect(await r.zrange(keys.indexMinutes('BTC-USD'), '0', '-1')).toEqual((modelIndexState([...base, late], settings).get('BTC-USD')?.minutes ?? []).map(serializeIndexMinute));
    const changed = after.filter((v, i) => v !== before[i]).map((v) => (JSON.parse(v) as IndexValueV1).t - S0);
    expect(changed).toEqual([4, 5, 6, 7, 8, 9]);
    const t4 = after.map((v) => JSON.parse(v) as IndexValueV1).find((v) => v.t === S0 + 4) as IndexValueV1;
    expect(t4.price).toBe('100.11');
    expect(t4.constituents.find((c) => c.venue === 'bitstamp')).toMatchObject({ included: true, price: '100.21', kind: 'mid', ageUs: 500_000 });
  });

  it('then an input older than history + lookback behind the watermark is counted late and not stored; one far ahead of its receive time is refused', async () => {
    const r = await freshDb();
    const base = [heartbeat('coinbase', 'BTC-USD', (S0 + 100) * US), quoteEv('coinbase', 'BTC-USD', (S0 + 99) * US, '100', '100.02')];
    await applyIn(r, [seqd(base)]);
    const before = await dumpState(r, families);
    const results: IndexBatchResult[] = [];
    // S0 is 40 s past a whole minute: history is retained from floor((S0 + 99 - 25) / 60) * 60 = S0 + 20, inputs
    // from S0 + 15 (lookback 5 s).
    const tooOld = quoteEv('kraken', 'BTC-USD', (S0 + 10) * US, '100', '100.02', 90 * US);
    const ahead = quoteEv('kraken', 'BTC-USD', (S0 + 99) * US, '100', '100.02', -3 * US);
    await applyIn(r, [[{ ev: tooOld, seq: 10 }, { ev: ahead, seq: 11 }]], results);
    expect(results).toEqual([expect.objectContaining({ symbol: 'BTC-USD', computed: 0, late: 1, future: 1 })]);
    const after = await dumpState(r, families);
    // Only the main script's latest-quote and checkpoint moved; no index key did.
    const indexOnly = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([k]) => k.includes(':index:')));
    expect(indexOnly(after)).toEqual(indexOnly(before));
  });
});

describe('given a key of the wrong type where the index writes', () => {
  it('when a batch is applied then it fails with WRONGTYPE and no index key is written', async () => {
    const r = await freshDb();
    await r.set(keys.indexHistory('BTC-USD'), 'oops');
    const a = new BatchApplier(r, context({ legacy: { enabled: false } }), [indexProjection(settings, keys)]);
    await expect(a.apply(seqd([heartbeat('coinbase', 'BTC-USD', (S0 + 5) * US), quoteEv('coinbase', 'BTC-USD', (S0 + 4) * US, '1', '2')]))).rejects.toThrow(/WRONGTYPE/);
    expect(await r.exists(keys.indexWatermark('BTC-USD'), keys.indexInput('BTC-USD', 'coinbase', 'q'))).toBe(0);
  });
});
