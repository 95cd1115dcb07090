import { ResumeRing, type RingItem } from './ring';

/** Anything that takes pushed items for the symbols it subscribed to (a client session). */
export interface Subscriber {
  deliver(item: RingItem): void;
}

/**
 * The fan-out point between the live consumer and the client sessions. Every pushed item goes into the resume
 * ring FIRST and is then offered to the symbol's subscribers, so a session that is still replaying from the ring
 * can ignore live items (it will reach them in the ring) and switch to live without a gap or a duplicate.
 *
 * At start the consumer back-fills the ring from `startSeq` up to `catchUpTo` (the stream's last sequence when
 * it started); those items are history, not news: a plain subscription starts after them (`liveFrom`).
 */
export class StreamHub {
  readonly ring: ResumeRing;
  private seen = 0;
  private catchUpTo = 0;
  private readonly bySymbol = new Map<string, Set<Subscriber>>();

  constructor(resumeWindow: number) {
    this.ring = new ResumeRing(resumeWindow);
  }

  /** Called by the consumer before it reads: the ring is complete from `startSeq`, history ends at `catchUpTo`. */
  start(startSeq: number, catchUpTo: number): void {
    this.ring.reset(startSeq);
    this.seen = Math.max(0, startSeq - 1);
    this.catchUpTo = catchUpTo;
  }

  /** Last MD sequence the consumer has read (pushed or not: other types, duplicates). */
  get lastSeq(): number {
    return this.seen;
  }

  /** True once the start-up back-fill has reached the stream's end as it was at start. */
  get caughtUp(): boolean {
    return this.seen >= this.catchUpTo;
  }

  /** Where a subscription without `fromSeq` starts: after everything read so far and after the back-fill. */
  liveFrom(): number {
    return Math.max(this.seen, this.catchUpTo);
  }

  /** A sequence was read but yields no item (duplicate, invalid): time still advances. */
  observe(seq: number): void {
    if (seq > this.seen) this.seen = seq;
  }

  /** Returns how many subscribers the item was offered to (the fan-out span's attribute). */
  publish(item: RingItem): number {
    this.ring.push(item);
    this.observe(item.seq);
    const subs = this.bySymbol.get(item.symbol);
    if (!subs) return 0;
    for (const s of subs) s.deliver(item);
    return subs.size;
  }

  add(symbol: string, s: Subscriber): void {
    let set = this.bySymbol.get(symbol);
    if (!set) {
      set = new Set();
      this.bySymbol.set(symbol, set);
    }
    set.add(s);
  }

  remove(symbol: string, s: Subscriber): void {
    const set = this.bySymbol.get(symbol);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.bySymbol.delete(symbol);
  }

  subscriberCount(symbol: string): number {
    return this.bySymbol.get(symbol)?.size ?? 0;
  }
}
