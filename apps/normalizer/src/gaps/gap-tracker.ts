import { eventId, gapEventId, gapKeyOf, type GapDetection, type GapState, type GapV1, type Source, type Symbol, type VenueId } from '@feed/price-types';

/** One trade stream whose ids are tracked. */
export interface TrackedStream {
  venue: VenueId;
  symbol: Symbol;
  source: Source;
}

export interface GapTrackerOptions {
  /** A hole is declared only if still missing this long after it was noticed (late frames, the other replica). */
  fillMs: number;
  /** A declared hole still missing this long after its declaration is given up as `unrepaired`. */
  graceMs: number;
  /** Holes open at once (pending or declared) across all streams; past it the oldest is given up (`too_many_open`). */
  maxOpen: number;
  /** Holes with more missing ids than this are not tracked id by id (REST could not cover them anyway). */
  maxTrackedIds: number;
  /** Whether a repair source exists for this stream (a REST endpoint usable for its source). */
  canRepair(s: TrackedStream): boolean;
  /** A pending hole was filled inside the fill window (another replica or a late frame had it): never declared. */
  filledEarly?(s: TrackedStream): void;
}

/** A hole in one stream. Exposed read-only to the repairer. */
export interface Hole {
  readonly key: string;
  readonly stream: TrackedStream;
  readonly detectedBy: GapDetection;
  readonly afterId: string;
  readonly beforeId: string;
  /** Missing ids not seen yet; null when not tracked id by id (too large, or a sequence gap of unknown trades). */
  readonly missing: Set<bigint> | null;
  /** Missing count at detection (null: unknown, sequence gaps). */
  readonly total: number | null;
  /** Receive time of the frame that revealed the hole. */
  readonly detectedAtUs: number;
  noticedUs: number;
  declaredUs: number | null;
  /** Trades re-published by repairs of this hole. */
  repairedTrades: number;
  /** Why a repair attempt did not close the hole (kept for the `unrepaired` reason). */
  repairNote: string | undefined;
  /** A sequence hole's repair succeeded: the REST window was re-published (the best a sequence gap allows). */
  sequenceRepaired: boolean;
}

const ID_RE = /^\d{1,20}$/;

/**
 * The normalizer's rules for missing trades (pure: no I/O, the clock is an argument). The normalizer is the single
 * active writer and sees the RAW frames of every ingest replica in log order, so it tracks, per stream, the next
 * trade id it expects:
 *   - ids arriving in order advance it; a jump opens a hole of the ids in between, PENDING;
 *   - ids below it (another replica's copy, a late frame, a REST repair) fill holes they fall in;
 *   - a pending hole still missing anything after `fillMs` is DECLARED: a Gap `detected` event, and a repair request
 *     when the stream has a repair source; a pending hole filled in time is never declared (another replica had it);
 *   - a declared hole whose ids have all arrived is `repaired`; one still missing after `graceMs` is `unrepaired`.
 * Sequence gaps reported by ingest (Coinbase `sequence_num`) carry no trade ids: they are declared at once, repaired
 * when a REST repair of the stream succeeded, and otherwise unrepaired after the grace.
 * Events come out of `take()`, repair requests out of `takeRepairs()`.
 */
export class GapTracker {
  private readonly next = new Map<string, bigint>();
  private readonly holes = new Map<string, Hole>();
  private out: GapV1[] = [];
  private repairs: Hole[] = [];

  constructor(private readonly o: GapTrackerOptions) {}

  /** A trade (or OKX aggregation) covering ids first..last was seen on the stream. Non-numeric ids are ignored. */
  observe(s: TrackedStream, first: string, last: string, recvUs: number, nowUs: number): void {
    if (!ID_RE.test(first) || !ID_RE.test(last)) return;
    const lo = BigInt(first);
    const hi = BigInt(last);
    if (hi < lo) return;
    const sk = streamKey(s);
    const expected = this.next.get(sk);
    if (expected === undefined || lo === expected) {
      this.next.set(sk, hi + 1n);
      return;
    }
    if (lo > expected) {
      this.open(s, expected - 1n, lo, recvUs, nowUs);
      this.next.set(sk, hi + 1n);
      return;
    }
    // At least part of it is old: it may fill holes; the rest (if any) advances the stream.
    this.fill(sk, lo, hi < expected ? hi : expected - 1n, nowUs);
    if (hi >= expected) this.next.set(sk, hi + 1n);
  }

  /** Whether a trade id is one this stream is still missing (the repairer publishes only those). */
  isMissing(s: TrackedStream, id: string): boolean {
    if (!ID_RE.test(id)) return false;
    const n = BigInt(id);
    const sk = streamKey(s);
    for (const h of this.holes.values()) if (streamKey(h.stream) === sk && h.missing?.has(n)) return true;
    return false;
  }

  /** Ingest saw a per-connection sequence jump (its Gap `detected` event): declared at once. */
  sequenceGap(g: GapV1, nowUs: number): void {
    const stream: TrackedStream = { venue: g.venue, symbol: g.symbol, source: g.source };
    const key = gapKeyOf(g).slice(`gap:${g.venue}:${g.symbol}:`.length);
    if (this.holes.has(`${streamKey(stream)}|${key}`)) return;
    const h = this.add({ key, stream, detectedBy: 'sequence', afterId: g.afterId, beforeId: g.beforeId, missing: null, total: g.missing, detectedAtUs: g.detectedAtUs }, nowUs);
    this.declare(h, nowUs);
  }

  /** A repair is about to re-publish `n` trades for hole `key` (counted before they close the hole). */
  credit(key: string, n: number): void {
    const h = this.holes.get(key);
    if (h) h.repairedTrades += n;
  }

  /** A repair of `key` finished (ok = the endpoint answered and its trades were published); `note`: why not more. */
  repairDone(key: string, ok: boolean, note: string | undefined, nowUs: number): void {
    const h = this.holes.get(key);
    if (!h) return;
    h.repairNote = note;
    if (h.detectedBy === 'sequence' && ok) {
      h.sequenceRepaired = true;
      this.close(h, 'repaired', nowUs);
    }
  }

  /** Declare pending holes past the fill window, give up declared ones past the grace. */
  tick(nowUs: number): void {
    for (const h of [...this.holes.values()]) {
      if (h.declaredUs === null && nowUs - h.noticedUs >= this.o.fillMs * 1000) this.declare(h, nowUs);
      else if (h.declaredUs !== null && nowUs - h.declaredUs >= this.o.graceMs * 1000) this.close(h, 'unrepaired', nowUs, this.giveUpReason(h));
    }
  }

  take(): GapV1[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  takeRepairs(): Hole[] {
    const r = this.repairs;
    this.repairs = [];
    return r;
  }

  /** Declared holes still open, per venue (the `feed_gaps_open` gauge). */
  openDeclared(): Hole[] {
    return [...this.holes.values()].filter((h) => h.declaredUs !== null);
  }

  get size(): number {
    return this.holes.size;
  }

  private open(s: TrackedStream, after: bigint, before: bigint, recvUs: number, nowUs: number): void {
    const count = before - after - 1n;
    const tracked = count <= BigInt(this.o.maxTrackedIds);
    const missing = tracked ? new Set<bigint>() : null;
    if (missing) for (let i = after + 1n; i < before; i++) missing.add(i);
    const total = count <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(count) : null;
    this.add({ key: `trade-${after}-${before}`, stream: s, detectedBy: 'trade_id', afterId: String(after), beforeId: String(before), missing, total, detectedAtUs: recvUs }, nowUs);
  }

  private add(h: Omit<Hole, 'noticedUs' | 'declaredUs' | 'repairedTrades' | 'repairNote' | 'sequenceRepaired'>, nowUs: number): Hole {
    const full: Hole = { ...h, key: `${streamKey(h.stream)}|${h.key}`, noticedUs: nowUs, declaredUs: null, repairedTrades: 0, repairNote: undefined, sequenceRepaired: false };
    // Bounded work: the oldest hole makes room (declared first if it never was, so its end is on the log).
    while (this.holes.size >= this.o.maxOpen) {
      const oldest = this.holes.values().next().value as Hole;
      if (oldest.declaredUs === null) this.declare(oldest, nowUs, false);
      this.close(oldest, 'unrepaired', nowUs, 'too_many_open');
    }
    this.holes.set(full.key, full);
    return full;
  }

  private fill(sk: string, lo: bigint, hi: bigint, nowUs: number): void {
    for (const h of [...this.holes.values()]) {
      if (streamKey(h.stream) !== sk || !h.missing) continue;
      const a = BigInt(h.afterId);
      const b = BigInt(h.beforeId);
      if (hi <= a || lo >= b) continue;
      for (let i = lo > a ? lo : a + 1n; i <= hi && i < b; i++) h.missing.delete(i);
      if (h.missing.size > 0) continue;
      // Filled before it was declared: another replica (or a late frame) had it; nothing is said on the log.
      if (h.declaredUs === null) {
        this.holes.delete(h.key);
        this.o.filledEarly?.(h.stream);
      } else this.close(h, 'repaired', nowUs);
    }
  }

  private declare(h: Hole, nowUs: number, repair = true): void {
    h.declaredUs = nowUs;
    this.emit(h, 'detected', nowUs);
    if (repair && (h.missing !== null || h.detectedBy === 'sequence') && this.o.canRepair(h.stream)) this.repairs.push(h);
  }

  private close(h: Hole, state: GapState, nowUs: number, reason?: string): void {
    if (!this.holes.delete(h.key)) return;
    this.emit(h, state, nowUs, reason);
  }

  private giveUpReason(h: Hole): string {
    if (h.detectedBy === 'trade_id' && h.missing === null) return 'too_large';
    if (!this.o.canRepair(h.stream)) return 'no_rest';
    return h.repairNote ?? 'grace_expired';
  }

  private emit(h: Hole, state: GapState, nowUs: number, reason?: string): void {
    const s = h.stream;
    const localKey = h.key.slice(h.key.indexOf('|') + 1);
    const g: GapV1 = {
      v: 1,
      type: 'gap',
      id: gapEventId(s.venue, s.symbol, localKey, state),
      venue: s.venue,
      symbol: s.symbol,
      source: s.source,
      recvTimeUs: state === 'detected' ? Math.max(h.detectedAtUs, nowUs) : nowUs,
      channel: 'trade',
      afterId: h.afterId,
      beforeId: h.beforeId,
      missing: h.total !== null && h.total > 0 ? h.total : null,
      detectedAtUs: h.detectedAtUs,
      state,
      detectedBy: h.detectedBy,
      ...(reason ? { reason } : {}),
      ...(state === 'repaired' ? { repairedTrades: h.repairedTrades } : {}),
    };
    this.out.push(g);
  }
}

function streamKey(s: TrackedStream): string {
  return eventId('trade', s.venue, s.symbol, '');
}
