import type { GapRecord } from './quote-types';
import type { HostileFrameRecord, ResendRecord } from './types';

/**
 * What was sent besides genuine trades: hostile frames and resends, kept apart from the trade record so
 * that counts of genuine trades stay exact. Bounded: past the cap only the counters keep counting.
 */
export class SideRecord {
  readonly hostile: HostileFrameRecord[] = [];
  readonly resends: ResendRecord[] = [];
  /** Trades the gap fault skipped (generated, never sent, not in the trade record; REST still has them). */
  readonly gaps: GapRecord[] = [];
  private readonly hostileCounts = new Map<string, Map<string, number>>();
  private readonly resendCounts = new Map<string, number>();

  constructor(private readonly cap: number) {}

  addHostile(r: HostileFrameRecord): void {
    if (this.hostile.length < this.cap) this.hostile.push(r);
    const key = `${r.venue}:${r.symbol}`;
    let byKind = this.hostileCounts.get(key);
    if (!byKind) this.hostileCounts.set(key, (byKind = new Map()));
    byKind.set(r.kind, (byKind.get(r.kind) ?? 0) + 1);
  }

  addGap(r: GapRecord): void {
    if (this.gaps.length < this.cap) this.gaps.push(r);
  }

  addResend(r: ResendRecord): void {
    if (this.resends.length < this.cap) this.resends.push(r);
    const key = `${r.venue}:${r.symbol}`;
    this.resendCounts.set(key, (this.resendCounts.get(key) ?? 0) + 1);
  }

  hostileCountsFor(venue: string, symbol: string): Record<string, number> {
    return Object.fromEntries(this.hostileCounts.get(`${venue}:${symbol}`) ?? []);
  }

  resendCountFor(venue: string, symbol: string): number {
    return this.resendCounts.get(`${venue}:${symbol}`) ?? 0;
  }
}
