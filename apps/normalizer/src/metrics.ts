import { Counter, Histogram, HotCounter, HotHistogram, LATENCY_BUCKETS_S, type Registry } from '@feed/metrics';

export interface NormalizerMetrics {
  frames: Counter<'venue' | 'outcome'>;
  events: Counter<'venue' | 'type'>;
  duplicates: Counter<'venue'>;
  latency: Histogram<'venue'>;
  receiveDelay: Histogram<'venue'>;
}

export function createNormalizerMetrics(registry: Registry): NormalizerMetrics {
  return {
    frames: new HotCounter({
      name: 'feed_normalizer_frames_total',
      help: 'RAW frames handled, by outcome: mapped (produced events), ignored (no market data, e.g. acks, unknown types)',
      labelNames: ['venue', 'outcome'],
      registers: [registry],
    }),
    events: new HotCounter({ name: 'feed_normalizer_events_total', help: 'Normalized events stored on the MD stream (JetStream duplicates excluded)', labelNames: ['venue', 'type'], registers: [registry] }),
    duplicates: new Counter({
      name: 'feed_normalizer_duplicates_total',
      help: 'Events dropped because their id was published before (venue resends, overlapping ingest replicas, redelivered frames)',
      labelNames: ['venue'],
      registers: [registry],
    }),
    latency: new HotHistogram({
      name: 'feed_normalizer_latency_seconds',
      help: 'Hop receive -> normalized: ingest receive time to the normalized trade acknowledged by JetStream',
      labelNames: ['venue'],
      buckets: LATENCY_BUCKETS_S,
      registers: [registry],
    }),
    // The first hop (venue -> receive) is measured here because only the mapper knows the venue's own event time;
    // ingest files frames unparsed. It includes venue-side delay, network and clock skew; skew below zero counts as 0.
    receiveDelay: new HotHistogram({
      name: 'feed_normalizer_receive_delay_seconds',
      help: 'Hop venue -> receive: venue event time of a trade to its ingest receive time (clamped at 0)',
      labelNames: ['venue'],
      buckets: LATENCY_BUCKETS_S,
      registers: [registry],
    }),
  };
}
