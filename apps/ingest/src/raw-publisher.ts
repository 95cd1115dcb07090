import type { Logger } from '@feed/logging';
import { Hdr, newHeaders, type PublishOptions, type WindowedPublisher } from '@feed/messaging';
import type { Source } from '@feed/price-types';
import type { Context } from '@opentelemetry/api';
import type { IngestMetrics } from './metrics';

export interface RawMessage {
  subject: string;
  data: Uint8Array;
  msgId?: string;
  recvTimeUs: number;
  venue: string;
  attempt: number;
  /** The frame's trace when it was sampled (frame-trace.ts); the publish continues it. */
  trace?: Context;
}

/**
 * Frames from every socket go through one FIFO into JetStream with a bounded in-flight window, so RAW keeps
 * arrival order and a slow NATS pushes back on memory, not on correctness. The queue itself is bounded: past
 * `maxQueued` frames are dropped and counted (another ingest replica, or gap repair, covers them). A failed
 * publish is retried with the same msg id (deduped if the first attempt actually landed), backing off up to
 * `maxRetryDelayMs`, for `maxAttempts` attempts (INGEST_PUBLISH_ATTEMPTS) before the frame is dropped and counted.
 */
export class RawPublisher {
  private readonly queue: RawMessage[] = [];
  private pumping = false;

  constructor(
    private readonly publisher: WindowedPublisher,
    private readonly o: { source: Source; ingestId: string; maxQueued: number; maxAttempts: number; retryDelayMs: number; maxRetryDelayMs?: number },
    private readonly metrics: IngestMetrics,
    private readonly log: Logger,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  enqueue(m: RawMessage): void {
    if (this.queue.length >= this.o.maxQueued) {
      this.metrics.dropped.inc({ venue: m.venue, reason: 'queue_full' });
      return;
    }
    this.queue.push(m);
    if (!this.pumping) void this.pump();
  }

  /** Resolves when the queue is empty and nothing is in flight (shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.pumping) await new Promise((r) => setTimeout(r, 10));
    await this.publisher.idle();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const m = this.queue.shift() as RawMessage;
        const h = newHeaders();
        h.set(Hdr.recvTimeUs, String(m.recvTimeUs));
        h.set(Hdr.source, this.o.source);
        h.set(Hdr.ingest, this.o.ingestId);
        const po: PublishOptions = { headers: h, ...(m.msgId ? { msgId: m.msgId } : {}) };
        if (m.trace) po.trace = m.trace;
        // Synchronous while the window has room, so a burst of frames leaves in one socket write.
        const ack = this.publisher.trySend(m.subject, m.data, po) ?? (await this.publisher.start(m.subject, m.data, po)).ack;
        ack.then(
          (pa) => {
            this.metrics.published.inc({ venue: m.venue, outcome: pa.duplicate ? 'duplicate' : 'stored' });
          },
          (e: unknown) => this.retry(m, e),
        );
      }
    } finally {
      this.pumping = false;
    }
  }

  private retry(m: RawMessage, e: unknown): void {
    if (m.attempt + 1 >= this.o.maxAttempts) {
      this.metrics.dropped.inc({ venue: m.venue, reason: 'publish_failed' });
      this.log.warn({ subject: m.subject, err: e instanceof Error ? e.message : String(e) }, 'raw publish failed; frame dropped');
      return;
    }
    const delay = Math.min(this.o.retryDelayMs * 2 ** Math.min(m.attempt, 20), this.o.maxRetryDelayMs ?? Number.POSITIVE_INFINITY);
    setTimeout(() => this.enqueue({ ...m, attempt: m.attempt + 1 }), delay).unref();
  }
}
