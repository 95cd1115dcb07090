import { Counter, Gauge, HotCounter, type Registry } from '@feed/metrics';

export interface IngestMetrics {
  frames: Counter<'venue' | 'channel'>;
  rejected: Counter<'venue' | 'reason'>;
  control: Counter<'venue' | 'kind'>;
  published: Counter<'venue' | 'outcome'>;
  dropped: Counter<'venue' | 'reason'>;
  reconnects: Counter<'venue' | 'reason'>;
  budgetWaits: Counter<'venue'>;
  sequenceGaps: Counter<'venue'>;
  connections: Gauge<'venue'>;
  streamState: Gauge<'venue' | 'symbol' | 'channel' | 'state'>;
  lastFrame: Gauge<'venue' | 'symbol' | 'channel'>;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  return {
    frames: new HotCounter({ name: 'feed_ingest_frames_total', help: 'Venue frames received and filed on RAW, by channel', labelNames: ['venue', 'channel'], registers: [registry] }),
    rejected: new Counter({ name: 'feed_ingest_frames_rejected_total', help: 'Venue frames refused at the socket, by reason (oversize, binary)', labelNames: ['venue', 'reason'], registers: [registry] }),
    control: new Counter({ name: 'feed_ingest_control_frames_total', help: 'Protocol frames handled and not published (subscription acks)', labelNames: ['venue', 'kind'], registers: [registry] }),
    published: new HotCounter({ name: 'feed_ingest_published_total', help: 'RAW publishes acknowledged, by outcome (stored, duplicate)', labelNames: ['venue', 'outcome'], registers: [registry] }),
    dropped: new Counter({ name: 'feed_ingest_frames_dropped_total', help: 'Frames lost inside ingest, by reason (queue_full, publish_failed)', labelNames: ['venue', 'reason'], registers: [registry] }),
    reconnects: new Counter({ name: 'feed_ingest_reconnects_total', help: 'Connection replacements, by reason (closed, error, silent, rotation)', labelNames: ['venue', 'reason'], registers: [registry] }),
    budgetWaits: new Counter({
      name: 'feed_ingest_connection_budget_waits_total',
      help: 'Connection attempts deferred because the venue connection budget was spent (reconnect storm protection)',
      labelNames: ['venue'],
      registers: [registry],
    }),
    sequenceGaps: new Counter({
      name: 'feed_ingest_sequence_gaps_total',
      help: 'Jumps in a connection message sequence number (Coinbase sequence_num): messages lost on that connection',
      labelNames: ['venue'],
      registers: [registry],
    }),
    connections: new Gauge({ name: 'feed_ingest_connections', help: 'Open venue WebSocket connections', labelNames: ['venue'], registers: [registry] }),
    streamState: new Gauge({
      name: 'feed_ingest_stream_state',
      help: '1 for the current connection state of each stream (live, stale, reconnecting, down), else 0',
      labelNames: ['venue', 'symbol', 'channel', 'state'],
      registers: [registry],
    }),
    lastFrame: new Gauge({
      name: 'feed_ingest_last_frame_timestamp_seconds',
      help: 'Receive time of the last frame per stream',
      labelNames: ['venue', 'symbol', 'channel'],
      registers: [registry],
    }),
  };
}
