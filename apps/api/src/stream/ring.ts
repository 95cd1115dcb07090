/** A pushed trade: its MD stream sequence, its symbol (for per-subscription filtering) and its item JSON. */
export interface RingItem {
  seq: number;
  symbol: string;
  json: string;
}

/**
 * The last `capacity` pushed items in stream-sequence order, for resume (decision 11: clients can resume from a
 * sequence within a bounded window). `coverageStart` is the lowest sequence from which the ring is complete:
 * every trade pushed with seq >= coverageStart is in it. A resume from `fromSeq` (items with seq > fromSeq) is
 * therefore exact iff fromSeq >= coverageStart - 1.
 */
export class ResumeRing {
  private readonly buf: Array<RingItem | undefined>;
  private head = 0;
  private size = 0;
  private coverage: number;

  constructor(
    readonly capacity: number,
    startSeq = 1,
  ) {
    if (capacity < 1) throw new Error('ring capacity must be >= 1');
    this.buf = new Array<RingItem | undefined>(capacity);
    this.coverage = startSeq;
  }

  /** Empties the ring; it is complete from `startSeq` on (where the live consumer starts reading). */
  reset(startSeq: number): void {
    this.buf.fill(undefined);
    this.head = 0;
    this.size = 0;
    this.coverage = startSeq;
  }

  get length(): number {
    return this.size;
  }

  get coverageStart(): number {
    return this.coverage;
  }

  /** Sequence of the newest item, or undefined when empty. */
  get lastSeq(): number | undefined {
    return this.size === 0 ? undefined : this.at(this.size - 1).seq;
  }

  canResumeFrom(fromSeq: number): boolean {
    return fromSeq >= this.coverage - 1;
  }

  push(item: RingItem): void {
    const last = this.lastSeq;
    if (last !== undefined && item.seq <= last) throw new Error(`ring items must arrive in sequence order (${item.seq} after ${last})`);
    if (this.size === this.capacity) {
      const evicted = this.at(0);
      this.coverage = evicted.seq + 1;
      this.buf[this.head] = item;
      this.head = (this.head + 1) % this.capacity;
      return;
    }
    this.buf[(this.head + this.size) % this.capacity] = item;
    this.size++;
  }

  /** Up to `max` items of `symbol` with seq > `afterSeq`, oldest first. */
  after(afterSeq: number, symbol: string, max: number): RingItem[] {
    const out: RingItem[] = [];
    for (let i = this.firstAfter(afterSeq); i < this.size && out.length < max; i++) {
      const it = this.at(i);
      if (it.symbol === symbol) out.push(it);
    }
    return out;
  }

  private at(i: number): RingItem {
    return this.buf[(this.head + i) % this.capacity] as RingItem;
  }

  /** Logical index of the first item with seq > afterSeq (binary search; items are in ascending seq order). */
  private firstAfter(afterSeq: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).seq <= afterSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
