import { Counter, Gauge, HotHistogram, Histogram, LATENCY_BUCKETS_S, type Registry } from '@feed/metrics';

export interface PersisterMetrics {
  events: Counter<'type' | 'outcome'>;
  latency: Histogram<'type'>;
  redisUp: Gauge;
  lateTrades: Counter<'venue'>;
  candleSkipped: Counter<'venue' | 'reason'>;
}

export function createPersisterMetrics(registry: Registry): PersisterMetrics {
  return {
    events: new Counter({
      name: 'feed_persister_events_total',
      help: 'Events handled by the persister, by outcome: applied, duplicate (id already applied), skipped (type not projected)',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    latency: new HotHistogram({
      name: 'feed_persister_latency_seconds',
      help: 'Hop receive -> persisted: ingest receive time to the trade applied in Redis',
      labelNames: ['type'],
      buckets: LATENCY_BUCKETS_S,
      registers: [registry],
    }),
    lateTrades: new Counter({
      name: 'feed_candle_late_trades_total',
      help: 'Trades received after their 1s candle\'s finality horizon: counted in the bar as late, not in its prices or volume',
      labelNames: ['venue'],
      registers: [registry],
    }),
    candleSkipped: new Counter({
      name: 'feed_candle_skipped_trades_total',
      help: 'Trades applied but kept out of the candles; reason future_time: venue time more than CANDLE_MAX_FUTURE_MS ahead of receive time',
      labelNames: ['venue', 'reason'],
      registers: [registry],
    }),
    redisUp: new Gauge({ name: 'feed_persister_redis_up', help: '1 when the last Redis write or probe succeeded', registers: [registry] }),
  };
}
