import { compareDecimal, fromScaled, toScaled } from '@feed/price-types';

/**
 * The index rules as a pure TypeScript function: the reference the Lua script (index-script.ts) is tested against,
 * and what tests use to compute expected values independently of Redis. Both must give the SAME JSON text.
 *
 * For grid second T (epoch seconds), per constituent venue:
 *   - its newest quote mid and newest trade price with venue time <= T, read from the input buckets
 *     [T - lookback, T] (bucket = ceil(venueTimeUs / 1e6), so venue time <= bucket * 1e6);
 *   - the quote mid is used when it is fresh (age <= stale), else the trade price when it is fresh (a mid is the
 *     better estimate of where the market is: a trade print sits on the bid or the ask);
 *   - neither fresh: excluded `stale` (the newer of the two is shown), nothing in the lookback: `no_data`.
 * Then: m0 = median of the fresh prices; a fresh constituent with |p - m0| * 10000 > maxDeviationBps * m0 is
 * excluded `deviation`; the index is the median of the rest (null when none), equal weights (1/n, six decimals);
 * `degraded` when fewer than minConstituents are included.
 * Arithmetic is exact: prices become integers scaled by 10^20 (venue prices have <= 18 fraction digits, mids 19),
 * so the mean of the two middle values of an even count is exact too.
 */

export const INDEX_SCALE = 20;

export type ExcludedReason = 'stale' | 'deviation' | 'no_data';

export interface ConstituentV1 {
  venue: string;
  /** Source of the input shown (decision 7), null with no data. */
  source: 'live' | 'simulated' | null;
  /** Which input the price is: a quote mid, or a trade price; null with no data. */
  kind: 'mid' | 'trade' | null;
  price: string | null;
  venueTimeUs: number | null;
  /** Grid instant (T * 1e6) minus the input's venue time, µs. */
  ageUs: number | null;
  /** Share in the index: 1/n (six decimals) when included, "0" when excluded. */
  weight: string;
  included: boolean;
  reason: ExcludedReason | null;
}

export interface IndexValueV1 {
  v: 1;
  symbol: string;
  /** Grid second (epoch seconds): the value as of the instant t * 1e6 µs, from inputs with venue time <= it. */
  t: number;
  price: string | null;
  /** `simulated` when any constituent shown comes from the simulator (decision 7), else `live`. */
  source: 'live' | 'simulated';
  degraded: boolean;
  included: number;
  /** Median of the fresh constituents before the deviation gate (the gate's reference), null when none. */
  referenceMedian: string | null;
  method: { staleMs: number; maxDeviationBps: number; minConstituents: number };
  constituents: ConstituentV1[];
}

export interface IndexParams {
  staleMs: number;
  maxDeviationBps: number;
  minConstituents: number;
}

/**
 * One stored input: `<sortKey>|<price>|<L|S>` (live or simulated source, decision 7); the sort key starts with the
 * 16-digit venue time and may itself contain '|' (opaque venue ids), so price and source are read from the end.
 */
export function inputMember(sortKey: string, price: string, source: 'live' | 'simulated'): string {
  return `${sortKey}|${price}|${source === 'live' ? 'L' : 'S'}`;
}

export function memberTimeUs(member: string): number {
  return Number(member.slice(0, 16));
}

export function memberPrice(member: string): string {
  const end = member.lastIndexOf('|');
  return member.slice(member.lastIndexOf('|', end - 1) + 1, end);
}

export function memberSource(member: string): 'live' | 'simulated' {
  return member.endsWith('|L') ? 'live' : 'simulated';
}

/** Input bucket of a venue time: the first grid second at or after it. */
export function bucketOf(venueTimeUs: number): number {
  return Math.ceil(venueTimeUs / 1e6);
}

/** Exact mid of bid and ask, canonical (one more fraction digit at most). */
export function midPrice(bid: string, ask: string): string {
  const s = INDEX_SCALE;
  return fromScaled((toScaled(bid, s) + toScaled(ask, s)) / 2n, s);
}

function median(xs: bigint[]): bigint {
  const a = [...xs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const n = a.length;
  if (n % 2 === 1) return a[(n - 1) / 2] as bigint;
  return ((a[n / 2 - 1] as bigint) + (a[n / 2] as bigint)) / 2n;
}

/** Equal weight 1/n rounded half up to six decimals ("1", "0.5", "0.333333"). */
export function equalWeight(n: number): string {
  return fromScaled(BigInt(Math.floor(1_000_000 / n + 0.5)), 6);
}

/**
 * index(T). `newest(venue, kind)` returns the newest stored input member of that venue and kind ('q' quote mid,
 * 't' trade) within the lookback buckets of T, or undefined.
 */
export function computeIndexValue(
  symbol: string,
  t: number,
  venues: readonly string[],
  newest: (venue: string, kind: 'q' | 't') => string | undefined,
  p: IndexParams,
): IndexValueV1 {
  const at = t * 1_000_000;
  const staleUs = p.staleMs * 1000;
  const cons: ConstituentV1[] = venues.map((venue) => {
    const q = newest(venue, 'q');
    const tr = newest(venue, 't');
    const fresh = (m: string | undefined) => m !== undefined && at - memberTimeUs(m) <= staleUs;
    let m: string | undefined;
    let kind: ConstituentV1['kind'] = null;
    let reason: ExcludedReason | null = null;
    if (fresh(q)) [m, kind] = [q, 'mid'];
    else if (fresh(tr)) [m, kind] = [tr, 'trade'];
    else if (q !== undefined || tr !== undefined) {
      const useQ = q !== undefined && (tr === undefined || memberTimeUs(q) >= memberTimeUs(tr));
      [m, kind, reason] = useQ ? [q, 'mid', 'stale'] : [tr, 'trade', 'stale'];
    } else reason = 'no_data';
    return {
      venue,
      source: m === undefined ? null : memberSource(m),
      kind,
      price: m === undefined ? null : memberPrice(m),
      venueTimeUs: m === undefined ? null : memberTimeUs(m),
      ageUs: m === undefined ? null : at - memberTimeUs(m),
      weight: '0',
      included: false,
      reason,
    };
  });
  const fresh = cons.filter((c) => c.reason === null);
  const scaled = (c: ConstituentV1) => toScaled(c.price as string, INDEX_SCALE);
  let ref: bigint | null = null;
  let price: bigint | null = null;
  if (fresh.length > 0) {
    const m0 = median(fresh.map(scaled));
    ref = m0;
    const limit = BigInt(p.maxDeviationBps) * m0;
    for (const c of fresh) {
      const x = scaled(c);
      const diff = x > m0 ? x - m0 : m0 - x;
      if (diff * 10_000n > limit) c.reason = 'deviation';
    }
    const kept = fresh.filter((c) => c.reason === null);
    if (kept.length > 0) {
      price = median(kept.map(scaled));
      const w = equalWeight(kept.length);
      for (const c of kept) {
        c.included = true;
        c.weight = w;
      }
    }
  }
  const included = cons.filter((c) => c.included).length;
  return {
    v: 1,
    symbol,
    t,
    price: price === null ? null : fromScaled(price, INDEX_SCALE),
    source: cons.some((c) => c.source === 'simulated') ? 'simulated' : 'live',
    degraded: included < p.minConstituents,
    included,
    referenceMedian: ref === null ? null : fromScaled(ref, INDEX_SCALE),
    method: { staleMs: p.staleMs, maxDeviationBps: p.maxDeviationBps, minConstituents: p.minConstituents },
    constituents: cons,
  };
}

/** The value as stored: JSON with this exact key order (the Lua script writes the same text). */
export function serializeIndexValue(v: IndexValueV1): string {
  return JSON.stringify({
    v: v.v,
    symbol: v.symbol,
    t: v.t,
    price: v.price,
    source: v.source,
    degraded: v.degraded,
    included: v.included,
    referenceMedian: v.referenceMedian,
    method: { staleMs: v.method.staleMs, maxDeviationBps: v.method.maxDeviationBps, minConstituents: v.method.minConstituents },
    constituents: v.constituents.map((c) => ({
      venue: c.venue,
      source: c.source,
      kind: c.kind,
      price: c.price,
      venueTimeUs: c.venueTimeUs,
      ageUs: c.ageUs,
      weight: c.weight,
      included: c.included,
      reason: c.reason,
    })),
  });
}

/** One minute of an index (24 h statistics): open/high/low/close of the priced values of its seconds, and how many. */
export interface IndexMinuteV1 {
  /** First second of the minute (epoch seconds, a multiple of 60). */
  m: number;
  open: string;
  high: string;
  low: string;
  close: string;
  n: number;
}

/** Minute bars of a run of values (any order), minutes without a priced value omitted; oldest first. */
export function minuteBars(values: readonly IndexValueV1[]): IndexMinuteV1[] {
  const byMinute = new Map<number, IndexValueV1[]>();
  for (const v of [...values].sort((a, b) => a.t - b.t)) {
    if (v.price === null) continue;
    const m = v.t - (v.t % 60);
    const list = byMinute.get(m) ?? [];
    list.push(v);
    byMinute.set(m, list);
  }
  return [...byMinute.entries()]
    .sort(([a], [b]) => a - b)
    .map(([m, vs]) => {
      const prices = vs.map((v) => v.price as string);
      return {
        m,
        open: prices[0] as string,
        high: prices.reduce((a, b) => (compareDecimal(b, a) > 0 ? b : a)),
        low: prices.reduce((a, b) => (compareDecimal(b, a) < 0 ? b : a)),
        close: prices[prices.length - 1] as string,
        n: prices.length,
      };
    });
}

/** A minute bar as stored (the Lua script writes the same text). */
export function serializeIndexMinute(b: IndexMinuteV1): string {
  return JSON.stringify({ m: b.m, open: b.open, high: b.high, low: b.low, close: b.close, n: b.n });
}
