import type { Subjects } from '@feed/messaging';
import type { IngestMetrics } from './metrics';
import type { RawPublisher } from './raw-publisher';
import type { StreamTracker } from './stream-tracker';
import type { VenueAdapter } from './venues';

/**
 * What ingest does with each venue frame, synchronously on the socket's message event: bound its size (hard rule 3:
 * hostile input is refused at the socket, counted, and never parsed), classify it cheaply, mark stream activity,
 * and queue it for RAW with its receive time and msg id. Validation of market data is the normalizer's job, so a
 * malformed frame is still filed (channel "other") and dead-lettered there with its reason.
 */
export function createFrameHandler(deps: {
  adapter: VenueAdapter;
  subjects: Subjects;
  publisher: RawPublisher;
  tracker: StreamTracker;
  metrics: IngestMetrics;
  /** Called when the venue asks the client to reconnect (make-before-break rotation). */
  onReconnectRequest?: () => void;
}) {
  const { adapter, subjects, publisher, tracker, metrics } = deps;
  const venue = adapter.venue;
  return (data: Buffer, isBinary: boolean, recvUs: number): void => {
    if (isBinary) {
      metrics.rejected.inc({ venue, reason: 'binary' });
      return;
    }
    if (data.length > adapter.rules.maxFrameBytes) {
      metrics.rejected.inc({ venue, reason: 'oversize' });
      return;
    }
    const c = adapter.classify(data.toString('utf8'));
    if (c.control) {
      metrics.control.inc({ venue, kind: c.control });
      if (c.control === 'reconnect_request') deps.onReconnectRequest?.();
      return;
    }
    metrics.frames.inc({ venue, channel: c.channel });
    if ((c.channel === 'trade' || c.channel === 'quote') && c.symbol !== '_') tracker.onFrame({ venue, channel: c.channel, symbol: c.symbol }, recvUs);
    publisher.enqueue({
      subject: subjects.raw(venue, c.channel, c.symbol),
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      ...(c.msgId ? { msgId: c.msgId } : {}),
      recvTimeUs: recvUs,
      venue,
      attempt: 0,
    });
  };
}
