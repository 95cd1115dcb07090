import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, with the default process metrics (CPU, RSS, event-loop lag, GC) and a
 * `service` label on everything. Metric names follow Prometheus conventions: base units (seconds, bytes),
 * `_total` for counters, histograms for latencies, and no per-trade or otherwise unbounded labels.
 */
export function createRegistry(service: string, instance: string): Registry {
  const registry = new Registry();
  // No 'instance' label: Prometheus sets that itself from the scrape target.
  void instance;
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  // prom-client also exports these three totals as gauges named `_total`, which Prometheus reserves for counters
  // (`promtool check metrics` refuses them). The per-type gauges of the same name without `_total` stay, and
  // `sum()` over them gives the total.
  for (const name of NON_COUNTER_TOTALS) registry.removeSingleMetric(name);
  return registry;
}

/** Default prom-client gauges whose `_total` suffix breaks the counter naming convention; dropped. */
export const NON_COUNTER_TOTALS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Latency buckets in seconds from 100 µs to 10 s: hop latencies here are sub-millisecond to seconds. */
export const LATENCY_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Batch-size buckets (messages per batch). */
export const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];
