import { Counter, Gauge, type Registry } from '@feed/metrics';
import type { VenueId } from '@feed/price-types';

export interface GapMetrics {
  gaps: Counter<'venue' | 'channel' | 'outcome'>;
  open: Gauge<'venue' | 'channel'>;
  repairRequests: Counter<'venue' | 'outcome'>;
  filledEarly: Counter<'venue' | 'channel'>;
  /** Venues whose gaps are tracked (the open gauge is exported for each, 0 included). */
  venues: readonly VenueId[];
}

export function createGapMetrics(registry: Registry, venues: readonly VenueId[]): GapMetrics {
  const m: GapMetrics = {
    gaps: new Counter({
      name: 'feed_gaps_total',
      help: 'Gaps in venue trade streams, by outcome: detected (declared after the fill window), repaired, unrepaired (still missing after the grace)',
      labelNames: ['venue', 'channel', 'outcome'],
      registers: [registry],
    }),
    open: new Gauge({ name: 'feed_gaps_open', help: 'Declared gaps not yet repaired or given up', labelNames: ['venue', 'channel'], registers: [registry] }),
    repairRequests: new Counter({
      name: 'feed_gap_repair_requests_total',
      help: 'REST requests made to repair gaps, by outcome (ok, rate_limited, http_error, network, bad_response, publish_failed)',
      labelNames: ['venue', 'outcome'],
      registers: [registry],
    }),
    filledEarly: new Counter({
      name: 'feed_gap_holes_filled_early_total',
      help: 'Holes in a trade stream filled within the fill window (another ingest replica or a late frame had the trades): never declared as gaps',
      labelNames: ['venue', 'channel'],
      registers: [registry],
    }),
    venues,
  };
  for (const v of venues) m.open.set({ venue: v, channel: 'trade' }, 0);
  return m;
}
