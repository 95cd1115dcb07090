import type { Logger } from '@feed/logging';
import { gapDetection, nowUs, type GapV1, type MarketEventV1, type TradeV1 } from '@feed/price-types';
import type { MapResult } from '../mappers';
import type { GapMetrics } from './gap-metrics';
import type { GapTracker, Hole, TrackedStream } from './gap-tracker';

/** Publishes events to MD (msg id = event id) and resolves once every PubAck is in. */
export type PublishEvents = (events: MarketEventV1[]) => Promise<void>;

/**
 * Wires the gap tracker into the normalizer: it sees every mapped frame in RAW order (`onMapped`, from the batch
 * handler), publishes the tracker's Gap events (retried until JetStream has them: their ids are deterministic, so
 * a retry is deduped), hands repair requests to the repairer, and publishes repaired trades. It runs only where
 * the batch handler runs, i.e. on the lease holder: the single active writer.
 */
export class GapService {
  private outbox: GapV1[] = [];
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tracker: GapTracker,
    private readonly deps: {
      publish: PublishEvents;
      enqueueRepair: (h: Hole) => void;
      metrics: GapMetrics;
      log: Logger;
      tickMs: number;
      onStop?: () => void;
      now?: () => number;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.deps.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.deps.onStop?.();
  }

  /** Declared gaps not yet closed (health details). */
  get openCount(): number {
    return this.tracker.openDeclared().length;
  }

  /**
   * One mapped frame, in log order. Returns the events to publish as usual: a Gap event from ingest (a Coinbase
   * sequence jump) is taken over by the tracker, which publishes it with the rest of that gap's life.
   */
  onMapped(r: MapResult): MarketEventV1[] {
    const now = this.now();
    let out = r.events;
    r.events.forEach((ev, i) => {
      if (ev.type === 'trade') {
        if (gapDetection(ev.venue, 'trade') !== 'trade_id') return;
        const fills = r.fills?.[i] ?? 1;
        this.tracker.observe(streamOf(ev), firstIdOf(ev.tradeId, fills), ev.tradeId, ev.recvTimeUs, now);
      } else if (ev.type === 'gap' && ev.detectedBy === 'sequence' && ev.state === 'detected') {
        this.tracker.sequenceGap(ev, now);
        out = out.filter((e) => e !== ev);
      }
    });
    if (out !== r.events || this.hasWork()) this.collect();
    return out;
  }

  /**
   * Repair hook: publish the trades the stream is still missing (a sequence gap names no ids: every trade of the
   * answer, the dedupe drops those already delivered), in id order, then let the tracker see them.
   */
  async repairTrades(hole: Hole, trades: TradeV1[]): Promise<number> {
    const mine = trades.filter((t) => t.symbol === hole.stream.symbol);
    const wanted = (hole.detectedBy === 'sequence' ? mine : mine.filter((t) => this.tracker.isMissing(hole.stream, t.tradeId))).sort(byId);
    if (wanted.length > 0) await this.deps.publish(wanted);
    this.tracker.credit(hole.key, wanted.length);
    const now = this.now();
    for (const t of wanted) this.tracker.observe(hole.stream, t.tradeId, t.tradeId, t.recvTimeUs, now);
    this.collect();
    return wanted.length;
  }

  repairDone(hole: Hole, ok: boolean, note: string | undefined): void {
    this.tracker.repairDone(hole.key, ok, note, this.now());
    this.collect();
  }

  tick(): void {
    this.tracker.tick(this.now());
    this.collect();
  }

  private hasWork(): boolean {
    return this.tracker.size > 0 || this.outbox.length > 0;
  }

  private collect(): void {
    for (const h of this.tracker.takeRepairs()) this.deps.enqueueRepair(h);
    const events = this.tracker.take();
    for (const g of events) this.deps.metrics.gaps.inc({ venue: g.venue, channel: g.channel, outcome: g.state });
    this.outbox.push(...events);
    this.gauge();
    void this.flush();
  }

  private gauge(): void {
    const open = new Map<string, number>();
    for (const h of this.tracker.openDeclared()) open.set(h.stream.venue, (open.get(h.stream.venue) ?? 0) + 1);
    for (const v of this.deps.metrics.venues) this.deps.metrics.open.set({ venue: v, channel: 'trade' }, open.get(v) ?? 0);
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.outbox.length === 0) return;
    this.flushing = true;
    const batch = this.outbox;
    this.outbox = [];
    let ok = true;
    try {
      await this.deps.publish(batch);
    } catch (e) {
      // Kept, in order, for the next tick: Gap ids are deterministic, so a repeat is deduped.
      ok = false;
      this.outbox = [...batch, ...this.outbox];
      this.deps.log.warn({ err: e instanceof Error ? e.message : String(e), events: batch.length }, 'gap events not published; retrying');
    } finally {
      this.flushing = false;
    }
    if (ok && this.outbox.length > 0) void this.flush();
  }

  private now(): number {
    return (this.deps.now ?? nowUs)();
  }
}

/** Numeric ids by value, others as text. */
function byId(a: TradeV1, b: TradeV1): number {
  const num = /^\d{1,20}$/;
  if (num.test(a.tradeId) && num.test(b.tradeId)) return BigInt(a.tradeId) < BigInt(b.tradeId) ? -1 : BigInt(a.tradeId) > BigInt(b.tradeId) ? 1 : 0;
  return a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0;
}

function streamOf(t: TradeV1): TrackedStream {
  return { venue: t.venue, symbol: t.symbol, source: t.source };
}

/** First id an aggregation of `fills` ending at `last` covers (OKX: tradeId - count + 1). */
function firstIdOf(last: string, fills: number): string {
  if (fills <= 1 || !/^\d{1,20}$/.test(last)) return last;
  const first = BigInt(last) - BigInt(fills - 1);
  return first < 0n ? '0' : String(first);
}
