import { BATCH_BUCKETS, Counter, Gauge, HotCounter, HotHistogram, Histogram, LATENCY_BUCKETS_S, type Registry } from '@feed/metrics';

/** The api's own metrics. Every label is bounded: route templates, error codes, methods, venues. */
export interface ApiMetrics {
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  rejectedRequests: Counter<'reason'>;
  wsClients: Gauge;
  wsRejected: Counter<'reason'>;
  wsSlowClosed: Counter;
  wsDeadTerminated: Counter;
  wsMessagesSent: Counter;
  wsFramesSent: Counter;
  wsBatchSize: Histogram;
  wsResumeUnavailable: Counter;
  liveEvents: Counter<'outcome'>;
  liveDuplicates: Counter<'venue'>;
  liveRestarts: Counter;
  liveLastSeq: Gauge;
  pushLatency: Histogram<'venue'>;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  const registers = [registry];
  return {
    httpDuration: new Histogram({
      name: 'feed_api_http_request_duration_seconds',
      help: 'HTTP request duration by route template (not raw path), method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
    rejectedRequests: new Counter({
      name: 'feed_api_rejected_requests_total',
      help: 'HTTP requests refused, by error code (bad_request, unknown_symbol, not_found, payload_too_large, ...)',
      labelNames: ['reason'],
      registers,
    }),
    wsClients: new Gauge({ name: 'feed_api_ws_clients', help: 'Open WebSocket stream connections', registers }),
    wsRejected: new Counter({
      name: 'feed_api_ws_rejected_total',
      help: 'WebSocket upgrades and client messages refused, by reason',
      labelNames: ['reason'],
      registers,
    }),
    wsSlowClosed: new Counter({
      name: 'feed_api_ws_slow_clients_closed_total',
      help: 'Clients closed with 1013 because their unsent bytes passed WS_MAX_BUFFERED_BYTES',
      registers,
    }),
    wsDeadTerminated: new Counter({
      name: 'feed_api_ws_dead_clients_terminated_total',
      help: 'Clients terminated because they did not answer the previous ping',
      registers,
    }),
    wsMessagesSent: new Counter({ name: 'feed_api_ws_messages_sent_total', help: 'Items sent to WebSocket clients (a frame carries many)', registers }),
    wsFramesSent: new Counter({ name: 'feed_api_ws_frames_sent_total', help: 'WebSocket frames sent to clients', registers }),
    wsBatchSize: new Histogram({ name: 'feed_api_ws_batch_items', help: 'Items per trades frame', buckets: BATCH_BUCKETS, registers }),
    wsResumeUnavailable: new Counter({
      name: 'feed_api_ws_resume_unavailable_total',
      help: 'Resume requests the ring could not serve in full (fromSeq older than the ring, or ahead of the stream)',
      registers,
    }),
    liveEvents: new HotCounter({
      name: 'feed_api_live_events_total',
      help: 'MD trade events read by the live consumer, by outcome: pushed, duplicate, invalid',
      labelNames: ['outcome'],
      registers,
    }),
    liveDuplicates: new Counter({
      name: 'feed_api_live_duplicates_dropped_total',
      help: 'Trade events dropped before push because the same venue trade was already pushed (venue resends)',
      labelNames: ['venue'],
      registers,
    }),
    liveRestarts: new Counter({ name: 'feed_api_live_consumer_restarts_total', help: 'Times the ordered live consumer was recreated after trouble', registers }),
    liveLastSeq: new Gauge({ name: 'feed_api_live_last_seq', help: 'Last MD stream sequence seen by the live consumer', registers }),
    // Observed once per trade per instance when it is handed to the fan-out, never per subscriber: a client's
    // batch goes on the wire within WS_FLUSH_MS of that, so this is the last hop up to the flush interval.
    pushLatency: new HotHistogram({
      name: 'feed_api_push_latency_seconds',
      help: 'Hop receive -> sent: ingest receive time to the trade handed to WebSocket fan-out (sent within WS_FLUSH_MS)',
      labelNames: ['venue'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    }),
  };
}
