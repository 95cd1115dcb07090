import type { GapV1 } from '@feed/price-types';
import { GapTracker, type GapTrackerOptions, type TrackedStream } from './gap-tracker';

const S: TrackedStream = { venue: 'binance', symbol: 'BTC-USDT', source: 'simulated' };
const K: TrackedStream = { venue: 'kraken', symbol: 'BTC-USD', source: 'simulated' };
const T0 = 1_800_000_000_000_000;
const MS = 1000;

function tracker(over: Partial<GapTrackerOptions> = {}): GapTracker {
  return new GapTracker({ fillMs: 100, graceMs: 1000, maxOpen: 10, maxTrackedIds: 1000, canRepair: () => true, ...over });
}

/** Feed single ids in order of the list, one ms apart. */
function feed(t: GapTracker, s: TrackedStream, ids: number[], at = T0): void {
  ids.forEach((id, i) => t.observe(s, String(id), String(id), at + i * MS, at + i * MS));
}

const brief = (g: GapV1) => ({ id: g.id, state: g.state, afterId: g.afterId, beforeId: g.beforeId, missing: g.missing, reason: g.reason, repairedTrades: g.repairedTrades });

describe('GapTracker', () => {
  it('Given consecutive ids, When the fill window passes, Then nothing is declared', () => {
    const t = tracker();
    feed(t, S, [100, 101, 102, 103]);
    t.tick(T0 + 10_000 * MS);
    expect(t.take()).toEqual([]);
    expect(t.size).toBe(0);
  });

  it('Given a jump 101 -> 105, When the fill window passes with 102..104 still missing, Then a Gap detected event and a repair request', () => {
    const t = tracker();
    feed(t, S, [100, 101, 105]);
    t.tick(T0 + 50 * MS);
    expect(t.take()).toEqual([]); // still inside the fill window
    t.tick(T0 + 200 * MS);
    expect(t.take().map(brief)).toEqual([
      { id: 'gap:binance:BTC-USDT:trade-101-105:detected', state: 'detected', afterId: '101', beforeId: '105', missing: 3, reason: undefined, repairedTrades: undefined },
    ]);
    const reqs = t.takeRepairs();
    expect(reqs).toHaveLength(1);
    expect([...(reqs[0]?.missing ?? [])]).toEqual([102n, 103n, 104n]);
    expect(t.isMissing(S, '103')).toBe(true);
    expect(t.isMissing(S, '105')).toBe(false);
  });

  it('Given a pending hole, When another replica delivers the missing ids late (inside the fill window), Then it is never declared', () => {
    const early: string[] = [];
    const t = tracker({ filledEarly: (s) => early.push(s.venue) });
    feed(t, S, [100, 101, 105, 102, 104, 103, 106]);
    t.tick(T0 + 10_000 * MS);
    expect(t.take()).toEqual([]);
    expect(t.takeRepairs()).toEqual([]);
    expect(t.size).toBe(0);
    expect(early).toEqual(['binance']); // the hole existed, and was filled in time
  });

  it('Given a declared hole, When the missing ids arrive (REST repair), Then the gap is repaired with the count of re-published trades', () => {
    const t = tracker();
    feed(t, S, [100, 101, 105]);
    t.tick(T0 + 200 * MS);
    t.take();
    const [h] = t.takeRepairs();
    t.credit(h?.key ?? '', 3);
    feed(t, S, [102, 103], T0 + 300 * MS);
    expect(t.take()).toEqual([]); // 104 still missing
    feed(t, S, [104], T0 + 302 * MS);
    expect(t.take().map(brief)).toEqual([
      { id: 'gap:binance:BTC-USDT:trade-101-105:repaired', state: 'repaired', afterId: '101', beforeId: '105', missing: 3, reason: undefined, repairedTrades: 3 },
    ]);
    expect(t.size).toBe(0);
  });

  it('Given a declared hole and no repair source, When the grace passes, Then it is unrepaired (no_rest), and not before', () => {
    const t = tracker({ canRepair: () => false });
    feed(t, S, [100, 103]);
    t.tick(T0 + 200 * MS);
    expect(t.take().map((g) => g.state)).toEqual(['detected']);
    expect(t.takeRepairs()).toEqual([]);
    t.tick(T0 + 1000 * MS); // declared at +200 ms: grace ends at +1200 ms
    expect(t.take()).toEqual([]);
    t.tick(T0 + 1300 * MS);
    expect(t.take().map(brief)).toEqual([
      { id: 'gap:binance:BTC-USDT:trade-100-103:unrepaired', state: 'unrepaired', afterId: '100', beforeId: '103', missing: 2, reason: 'no_rest', repairedTrades: undefined },
    ]);
  });

  it('Given a declared hole whose repair failed, When the grace passes, Then the unrepaired reason is the repair note', () => {
    const t = tracker();
    feed(t, S, [100, 103]);
    t.tick(T0 + 200 * MS);
    const [h] = t.takeRepairs();
    t.repairDone(h?.key ?? '', false, 'rest_failed', T0 + 300 * MS);
    t.tick(T0 + 2000 * MS);
    expect(t.take().map((g) => [g.state, g.reason])).toEqual([
      ['detected', undefined],
      ['unrepaired', 'rest_failed'],
    ]);
  });

  it('Given an OKX aggregation (ids 103..105 in one message), When it follows 102, Then there is no hole', () => {
    const t = tracker();
    t.observe(S, '102', '102', T0, T0);
    t.observe(S, '103', '105', T0 + MS, T0 + MS);
    t.observe(S, '106', '106', T0 + 2 * MS, T0 + 2 * MS);
    t.tick(T0 + 10_000 * MS);
    expect(t.take()).toEqual([]);
  });

  it('Given streams of two venues, When one has a hole, Then only that stream is affected', () => {
    const t = tracker();
    feed(t, S, [1, 2, 3]);
    feed(t, K, [1, 3]);
    t.tick(T0 + 200 * MS);
    expect(t.take().map((g) => g.id)).toEqual(['gap:kraken:BTC-USD:trade-1-3:detected']);
    expect(t.isMissing(S, '2')).toBe(false);
    expect(t.isMissing(K, '2')).toBe(true);
  });

  it('Given a hole larger than maxTrackedIds, When declared, Then no repair is requested and it ends unrepaired (too_large)', () => {
    const t = tracker({ maxTrackedIds: 5 });
    feed(t, S, [100, 200]);
    t.tick(T0 + 200 * MS);
    expect(t.take().map((g) => [g.state, g.missing])).toEqual([['detected', 99]]);
    expect(t.takeRepairs()).toEqual([]);
    t.tick(T0 + 5000 * MS);
    expect(t.take().map((g) => [g.state, g.reason])).toEqual([['unrepaired', 'too_large']]);
  });

  it('Given maxOpen holes, When one more opens, Then the oldest is declared and given up (too_many_open)', () => {
    const t = tracker({ maxOpen: 2 });
    feed(t, S, [1, 3, 5, 7]);
    expect(t.take().map((g) => [g.id, g.state, g.reason])).toEqual([
      ['gap:binance:BTC-USDT:trade-1-3:detected', 'detected', undefined],
      ['gap:binance:BTC-USDT:trade-1-3:unrepaired', 'unrepaired', 'too_many_open'],
    ]);
    expect(t.size).toBe(2);
  });

  it('Given duplicates and non-numeric ids, When observed, Then they neither open nor close holes', () => {
    const t = tracker();
    feed(t, S, [10, 11, 11, 10, 12]);
    t.observe(S, 'abc', 'abc', T0, T0);
    t.tick(T0 + 10_000 * MS);
    expect(t.take()).toEqual([]);
  });

  it('Given a sequence gap from ingest, When the REST repair succeeds, Then detected (same id as ingest) then repaired', () => {
    const t = tracker();
    const g: GapV1 = {
      v: 1,
      type: 'gap',
      id: 'gap:coinbase:BTC-USD:trade-seq-ing1-1700-41-45:detected',
      venue: 'coinbase',
      symbol: 'BTC-USD',
      source: 'simulated',
      recvTimeUs: T0,
      channel: 'trade',
      afterId: 'seq-41',
      beforeId: 'seq-45',
      missing: null,
      detectedAtUs: T0,
      state: 'detected',
      detectedBy: 'sequence',
    };
    t.sequenceGap(g, T0);
    t.sequenceGap(g, T0); // redelivered: once
    expect(t.take().map((x) => x.id)).toEqual(['gap:coinbase:BTC-USD:trade-seq-ing1-1700-41-45:detected']);
    const [h] = t.takeRepairs();
    t.credit(h?.key ?? '', 7);
    t.repairDone(h?.key ?? '', true, undefined, T0 + 10 * MS);
    expect(t.take().map(brief)).toEqual([
      { id: 'gap:coinbase:BTC-USD:trade-seq-ing1-1700-41-45:repaired', state: 'repaired', afterId: 'seq-41', beforeId: 'seq-45', missing: null, reason: undefined, repairedTrades: 7 },
    ]);
  });
});
