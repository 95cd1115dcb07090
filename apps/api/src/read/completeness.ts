import { gapDetection, isoFromUs, isVenueId, type Channel, type GapDetection } from '@feed/price-types';

/** A stream's completeness as GET /v1/venues shows it. */
export interface CompletenessView {
  /**
   * `complete`: no open gap, and the newest gap (if any) was repaired; `repairing`: a declared gap is open (repair
   * under way, or waiting for the grace); `gap`: the newest gap ended unrepaired (trades are missing);
   * `untracked`: the venue gives no way to see a gap on this channel (docs/adding-a-venue.md).
   */
  state: 'complete' | 'repairing' | 'gap' | 'untracked';
  /** How gaps are seen on this stream, or null when they cannot be. */
  detectedBy: GapDetection | null;
  gapsDetected: number;
  gapsRepaired: number;
  gapsUnrepaired: number;
  gapsOpen: number;
  /** Trades known missing: the counted size of gaps that ended unrepaired. */
  missingTrades: number;
  /** Trades re-published from the venue's REST endpoint by repairs. */
  repairedTrades: number;
  /** Detection time of the newest gap (ISO-8601 µs), or null. */
  lastGapTime: string | null;
}

interface Record_ {
  k: string;
  s: string;
  m: number | null;
  d: number;
  n?: number;
}

const RANK: Record<string, number> = { detected: 0, repaired: 1, unrepaired: 1 };

function parse(member: string): Record_ | undefined {
  try {
    const o = JSON.parse(member) as Partial<Record_>;
    if (typeof o.k !== 'string' || typeof o.s !== 'string' || !(o.s in RANK) || typeof o.d !== 'number') return undefined;
    return { k: o.k, s: o.s, m: typeof o.m === 'number' ? o.m : null, d: o.d, ...(typeof o.n === 'number' ? { n: o.n } : {}) };
  } catch {
    return undefined; // a corrupt member says nothing
  }
}

/**
 * The completeness of one stream from its gap records (the completeness projection: one record per gap and state).
 * Pure: counts are recomputed from the records, so any order of application gives the same answer.
 */
export function summarizeCompleteness(venue: string, channel: Channel, members: readonly string[]): CompletenessView {
  const detectedBy = isVenueId(venue) ? (gapDetection(venue, channel) ?? null) : null;
  const gaps = new Map<string, { state: string; m: number | null; d: number; n: number }>();
  for (const raw of members) {
    const r = parse(raw);
    if (!r) continue;
    const g = gaps.get(r.k);
    if (!g) gaps.set(r.k, { state: r.s, m: r.m, d: r.d, n: r.n ?? 0 });
    else if ((RANK[r.s] ?? 0) > (RANK[g.state] ?? 0)) gaps.set(r.k, { ...g, state: r.s, n: r.n ?? g.n });
  }
  let repaired = 0;
  let unrepaired = 0;
  let open = 0;
  let missing = 0;
  let repairedTrades = 0;
  let newest: { state: string; d: number } | null = null;
  for (const g of gaps.values()) {
    if (g.state === 'repaired') repaired++;
    else if (g.state === 'unrepaired') {
      unrepaired++;
      missing += g.m ?? 0;
    } else open++;
    repairedTrades += g.n;
    if (!newest || g.d > newest.d) newest = g;
  }
  const state: CompletenessView['state'] = open > 0 ? 'repairing' : newest?.state === 'unrepaired' ? 'gap' : detectedBy === null && gaps.size === 0 ? 'untracked' : 'complete';
  return {
    state,
    detectedBy,
    gapsDetected: gaps.size,
    gapsRepaired: repaired,
    gapsUnrepaired: unrepaired,
    gapsOpen: open,
    missingTrades: missing,
    repairedTrades,
    lastGapTime: newest ? isoFromUs(newest.d) : null,
  };
}
