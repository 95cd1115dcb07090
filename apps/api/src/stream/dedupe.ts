/**
 * Drops trades already pushed, before they reach the ring or any client. The MD log can hold a venue trade twice
 * when the resend arrives outside JetStream's duplicate window (decision 2: the persister refuses it by event id,
 * but the live push reads the log directly, so it needs its own filter).
 *
 * Per (venue, symbol):
 *  - numeric trade ids (sequential at every venue that uses them): remember the highest id pushed and drop any
 *    id <= it. Constant memory per stream; ids are compared as digit strings, so ids past 2^53 stay exact.
 *  - other ids (UUID-like): a bounded set of the most recent ids; an id older than the set's reach could pass
 *    again, which is the stated cost of bounding memory.
 */
export class DuplicateFilter {
  private readonly highest = new Map<string, string>();
  private readonly recent = new Map<string, { set: Set<string>; ring: Array<string | undefined>; next: number }>();

  constructor(private readonly recentPerStream = 10_000) {
    if (recentPerStream < 1) throw new Error('recentPerStream must be >= 1');
  }

  /** True when the trade is new, and records it; false for a duplicate. */
  admit(venue: string, symbol: string, tradeId: string): boolean {
    const stream = `${venue}|${symbol}`;
    if (/^\d+$/.test(tradeId)) {
      const id = stripZeros(tradeId);
      const top = this.highest.get(stream);
      if (top !== undefined && compareDigits(id, top) <= 0) return false;
      this.highest.set(stream, id);
      return true;
    }
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
}

function stripZeros(s: string): string {
  const t = s.replace(/^0+/, '');
  return t === '' ? '0' : t;
}

/** Compares canonical (no leading zeros) digit strings numerically. */
export function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
