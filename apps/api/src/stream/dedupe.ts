/**
 * Drops trades already pushed, before they reach the ring or any client. The MD log can hold a venue trade twice
 * when the resend arrives outside JetStream's duplicate window (decision 2: the persister refuses it by event id,
 * but the live push reads the log directly, so it needs its own filter).
 *
 * The filter must NOT drop a trade only because it arrives after a newer one: a gap repaired from the venue's
 * REST endpoint, or a frame the other ingest replica delivered late, reaches the log after trades with higher
 * ids, and it is news to every client. So per (venue, symbol):
 *  - numeric trade ids (sequential at every venue that uses them): a window of the `numericWindow` ids below the
 *    highest id seen, one bit each (8 KiB per stream at the default 65,536). An id inside the window passes once;
 *    an id older than the window is dropped as already pushed: the stated cost of bounding memory (at 100 trades/s
 *    the window reaches back ~11 minutes, further than a REST repair goes). Ids past 2^53 stay exact (BigInt).
 *  - other ids (UUID-like): a bounded set of the most recent ids; an id older than the set's reach could pass
 *    again, which is the stated cost of bounding memory.
 */
export class DuplicateFilter {
  private readonly numeric = new Map<string, { top: bigint; bits: Uint32Array }>();
  private readonly recent = new Map<string, { set: Set<string>; ring: Array<string | undefined>; next: number }>();
  private readonly width: bigint;

  constructor(
    private readonly recentPerStream = 10_000,
    private readonly numericWindow = 65_536,
  ) {
    if (recentPerStream < 1) throw new Error('recentPerStream must be >= 1');
    if (numericWindow < 32 || numericWindow % 32 !== 0) throw new Error('numericWindow must be a positive multiple of 32');
    this.width = BigInt(numericWindow);
  }

  /** True when the trade is new, and records it; false for a duplicate (or a numeric id older than the window). */
  admit(venue: string, symbol: string, tradeId: string): boolean {
    const stream = `${venue}|${symbol}`;
    if (/^\d+$/.test(tradeId)) return this.admitNumeric(stream, BigInt(tradeId));
    let r = this.recent.get(stream);
    if (!r) {
      r = { set: new Set(), ring: new Array<string | undefined>(this.recentPerStream), next: 0 };
      this.recent.set(stream, r);
    }
    if (r.set.has(tradeId)) return false;
    const evicted = r.ring[r.next];
    if (evicted !== undefined) r.set.delete(evicted);
    r.ring[r.next] = tradeId;
    r.next = (r.next + 1) % this.recentPerStream;
    r.set.add(tradeId);
    return true;
  }

  private admitNumeric(stream: string, id: bigint): boolean {
    let w = this.numeric.get(stream);
    if (!w) {
      w = { top: id, bits: new Uint32Array(this.numericWindow / 32) };
      this.numeric.set(stream, w);
      this.flip(w.bits, id, true);
      return true;
    }
    if (id > w.top) {
      // Ids between the old top and this one have not been seen: clear their (recycled) bits.
      if (id - w.top >= this.width) w.bits.fill(0);
      else for (let k = w.top + 1n; k < id; k++) this.flip(w.bits, k, false);
      this.flip(w.bits, id, true);
      w.top = id;
      return true;
    }
    if (w.top - id >= this.width) return false;
    if (this.test(w.bits, id)) return false;
    this.flip(w.bits, id, true);
    return true;
  }

  private slot(id: bigint): number {
    return Number(id % this.width);
  }

  private test(bits: Uint32Array, id: bigint): boolean {
    const s = this.slot(id);
    return ((bits[s >>> 5] as number) & (1 << (s & 31))) !== 0;
  }

  private flip(bits: Uint32Array, id: bigint, on: boolean): void {
    const s = this.slot(id);
    const i = s >>> 5;
    const m = 1 << (s & 31);
    bits[i] = on ? (bits[i] as number) | m : (bits[i] as number) & ~m;
  }
}
