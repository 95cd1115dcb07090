import { Counter, Gauge, type Registry } from '@feed/metrics';
import type { IndexBatchResult } from '@feed/projections';

/**
 * Composite index metrics, fed from the index script's reply to each batch this persister applied. The gauges
 * follow the newest value of the index after the batch (with several persisters, each reports what it last saw:
 * the newest value of the shared Redis).
 */
export function createIndexMetrics(registry: Registry): (results: IndexBatchResult[]) => void {
  const degraded = new Gauge({ name: 'feed_index_degraded', help: 'Composite index: 1 when the newest computed value is degraded (fewer included constituents than INDEX_MIN_CONSTITUENTS)', labelNames: ['symbol'], registers: [registry] });
  const included = new Gauge({ name: 'feed_index_included_constituents', help: 'Composite index: constituents included in the newest computed value', labelNames: ['symbol'], registers: [registry] });
  const computed = new Counter({ name: 'feed_index_computations_total', help: 'Composite index: grid seconds computed or recomputed (a late input recomputes the seconds it affects)', labelNames: ['symbol'], registers: [registry] });
  const refused = new Counter({ name: 'feed_index_inputs_refused_total', help: 'Composite index inputs not used: late (older than history + lookback behind the watermark) or future (venue time too far ahead of receive time)', labelNames: ['symbol', 'reason'], registers: [registry] });
  return (results) => {
    for (const r of results) {
      if (r.computed > 0) computed.inc({ symbol: r.symbol }, r.computed);
      if (r.late > 0) refused.inc({ symbol: r.symbol, reason: 'late' }, r.late);
      if (r.future > 0) refused.inc({ symbol: r.symbol, reason: 'future' }, r.future);
      if (r.newest) {
        degraded.set({ symbol: r.symbol }, r.newest.degraded ? 1 : 0);
        included.set({ symbol: r.symbol }, r.newest.included);
      }
    }
  };
}
