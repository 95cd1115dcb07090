import type { Subjects } from '@feed/messaging';
import { frameTrace } from './frame-trace';
import type { IngestMetrics } from './metrics';
import type { RawMessage, RawPublisher } from './raw-publisher';
import type { SequenceChecker, SequenceJump } from './sequence-checker';
import type { StreamTracker } from './stream-tracker';
import type { VenueAdapter } from './venues';

/** The connection a frame came on (per-connection sequence numbers). */
export interface FrameConnection {
  id: number;
  openedAt: number;
}

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
  /** Per-connection sequence numbers (venues whose adapter reads one): a jump is reported before control frames are dropped. */
  sequence?: { checker: SequenceChecker; onJump: (conn: FrameConnection, jump: SequenceJump, recvUs: number) => void };
}) {
  const { adapter, subjects, publisher, tracker, metrics } = deps;
  const venue = adapter.venue;
  return (data: Buffer, isBinary: boolean, recvUs: number, conn?: FrameConnection): void => {
    // Sequence first: a frame refused below (oversize) still used up its number, and must not look like a loss.
    // The number sits at the head of the frame (Coinbase: channel, client_id, timestamp, sequence_num, events).
    if (conn && deps.sequence && adapter.sequenceNumber && !isBinary) {
      const n = adapter.sequenceNumber(data.subarray(0, 256).toString('utf8'));
      const jump = n === undefined ? undefined : deps.sequence.checker.check(conn.id, n);
      if (jump) {
        metrics.sequenceGaps.inc({ venue });
        deps.sequence.onJump(conn, jump, recvUs);
      }
    }
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
    const m: RawMessage = {
      subject: subjects.raw(venue, c.channel, c.symbol),
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      ...(c.msgId ? { msgId: c.msgId } : {}),
      recvTimeUs: recvUs,
      venue,
      attempt: 0,
    };
    const trace = frameTrace(venue, c.channel, c.symbol, recvUs, data.length);
    if (trace) m.trace = trace;
    publisher.enqueue(m);
  };
}
