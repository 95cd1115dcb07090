import type { Logger } from '@feed/logging';
import type { VenueId } from '@feed/price-types';
import type { GapConfig } from '../config';
import { RestRepairer, httpFetchText } from '../repair/rest-repairer';
import { REST_VENUES } from '../repair/venues';
import type { GapMetrics } from './gap-metrics';
import { GapService, type PublishEvents } from './gap-service';
import { GapTracker } from './gap-tracker';

/** Gap tracking and REST repair (apps/normalizer/src/gaps, repair): wiring only. */
export function wireGaps(g: GapConfig, publish: PublishEvents, gm: GapMetrics, log: Logger): GapService {
  const endpoints: ConstructorParameters<typeof RestRepairer>[0]['endpoints'] = {};
  for (const [venue, u] of Object.entries(g.restUrls) as [VenueId, { url: string; explicit: boolean }][]) {
    const rest = REST_VENUES[venue];
    if (rest) endpoints[venue] = { rest, baseUrl: u.url };
  }
  // The repairer and the service call each other: the hooks reach the service through this holder.
  const ref: { service?: GapService } = {};
  const repairer = new RestRepairer(
    { endpoints, maxInFlight: g.repairInFlight, timeoutMs: g.repairTimeoutMs, maxAttempts: g.repairAttempts, retryDelayMs: g.repairRetryMs },
    httpFetchText,
    {
      repairTrades: (h, trades) => (ref.service as GapService).repairTrades(h, trades),
      done: (h, ok, n, note) => ref.service?.repairDone(h, ok, note),
      request: (venue, outcome) => gm.repairRequests.inc({ venue, outcome }),
    },
    log.child({ module: 'gap-repair' }),
  );
  const tracker = new GapTracker({
    fillMs: g.fillMs,
    graceMs: g.graceMs,
    maxOpen: g.maxOpen,
    maxTrackedIds: g.maxTrackedIds,
    // Decision 7: a simulated stream is repaired only from an explicitly configured endpoint (the simulator).
    filledEarly: (s) => gm.filledEarly.inc({ venue: s.venue, channel: 'trade' }),
    canRepair: (s) => repairer.canRepair(s.venue) && (s.source === 'live' || g.restUrls[s.venue]?.explicit === true),
  });
  ref.service = new GapService(tracker, { publish, enqueueRepair: (h) => repairer.enqueue(h), metrics: gm, log: log.child({ module: 'gaps' }), tickMs: g.tickMs, onStop: () => repairer.stop() });
  return ref.service;
}
