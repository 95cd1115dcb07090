import { BATCH_BUCKETS, Counter, Gauge, Histogram, LATENCY_BUCKETS_S, type Registry } from '@feed/metrics';

/** Metrics of the one consumer loop, labelled by consumer (durable name); a small, fixed label set. */
export interface ConsumerMetrics {
  messages: Counter<'consumer' | 'outcome'>;
  deadLetters: Counter<'consumer' | 'reason'>;
  batchSize: Histogram<'consumer'>;
  batchSeconds: Histogram<'consumer'>;
  paused: Gauge<'consumer'>;
  pending: Gauge<'consumer'>;
  ackPending: Gauge<'consumer'>;
  redelivered: Counter<'consumer'>;
}

export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  return {
    messages: new Counter({
      name: 'feed_consumer_messages_total',
      help: 'Deliveries finished by a consumer loop, by outcome: acked, dead_lettered, nakked (handled, dependency failed), handed_back (queued, not handled: pause, standby, stop)',
      labelNames: ['consumer', 'outcome'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'feed_dead_letters_total',
      help: 'Poison messages dead-lettered, by stable reason code',
      labelNames: ['consumer', 'reason'],
      registers: [registry],
    }),
    batchSize: new Histogram({ name: 'feed_consumer_batch_messages', help: 'Messages per handled batch', labelNames: ['consumer'], buckets: BATCH_BUCKETS, registers: [registry] }),
    batchSeconds: new Histogram({
      name: 'feed_consumer_batch_duration_seconds',
      help: 'Time to handle one batch (side effect included)',
      labelNames: ['consumer'],
      buckets: LATENCY_BUCKETS_S,
      registers: [registry],
    }),
    paused: new Gauge({ name: 'feed_consumer_paused', help: '1 while the loop has stopped fetching because a dependency is down', labelNames: ['consumer'], registers: [registry] }),
    pending: new Gauge({ name: 'feed_consumer_pending_messages', help: 'Messages in the stream not yet delivered to this consumer (lag)', labelNames: ['consumer'], registers: [registry] }),
    ackPending: new Gauge({ name: 'feed_consumer_ack_pending_messages', help: 'Messages delivered and not yet acknowledged', labelNames: ['consumer'], registers: [registry] }),
    redelivered: new Counter({ name: 'feed_consumer_redelivered_total', help: 'Messages received with a delivery count above one', labelNames: ['consumer'], registers: [registry] }),
  };
}
