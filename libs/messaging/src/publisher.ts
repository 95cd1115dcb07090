import type { PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { getTracer, injectTrace, isSampled, MessagingAttr, NATS_SYSTEM, tracingActive } from '@feed/tracing';
import { SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { Hdr } from './headers';
import { PubAckInbox } from './puback-inbox';

const tracer = getTracer('messaging');

export interface PublishOptions {
  /** Deterministic event id; JetStream dedupes on it within the duplicate window. */
  msgId?: string;
  headers?: MsgHdrs;
  /**
   * The trace this message continues (e.g. the consumed message's `Delivered.ctx`). When sampled, the publish
   * gets a PRODUCER span (ended at the PubAck) whose context travels in the headers; unsampled: nothing is done.
   */
  trace?: Context;
}

export interface PublisherOptions {
  /** Most publishes awaiting a PubAck at once. ~1000 in flight reaches 15-25k/s on 2 cores (stack-notes). */
  window: number;
  /** How long one PubAck may take before the publish fails. */
  timeoutMs: number;
}

/**
 * JetStream publishing with a bounded in-flight window. Awaiting each publish caps a stage near 5k msgs/s; a
 * window lets up to `window` publishes overlap while bounding memory. `publish()` resolves with the PubAck;
 * when the window is full the CALLER waits for a slot first (backpressure reaches the source instead of
 * queueing without bound). Publishes are sent in call order, which keeps MD in RAW order. PubAcks come back on one
 * inbox subscription (PubAckInbox) rather than one request per message.
 */
export class WindowedPublisher {
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private published = 0;
  private duplicates = 0;
  private failures = 0;
  private readonly inbox: PubAckInbox;

  constructor(
    nc: NatsConnection,
    private readonly opts: PublisherOptions,
  ) {
    if (opts.window < 1) throw new Error('publisher window must be >= 1');
    this.inbox = new PubAckInbox(nc, opts.timeoutMs);
  }

  get pending(): number {
    return this.inFlight;
  }

  stats(): { published: number; duplicates: number; failures: number; inFlight: number } {
    return { published: this.published, duplicates: this.duplicates, failures: this.failures, inFlight: this.inFlight };
  }

  /**
   * Takes a slot, or queues for one. Strict FIFO: while anyone waits, newcomers queue behind them, and a released
   * slot is handed to the oldest waiter directly, so publishes leave in exactly the order `start` was called.
   */
  private acquire(): Promise<void> | undefined {
    if (this.inFlight < this.opts.window && this.waiters.length === 0) {
      this.inFlight++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /**
   * Starts a publish once a slot is free. The returned outer promise resolves when the publish is SENT (slot
   * taken) and yields the PubAck promise, so a producer can keep sending while acks arrive.
   */
  async start(subject: string, data: Uint8Array | string, o: PublishOptions = {}): Promise<{ ack: Promise<PubAck> }> {
    const wait = this.acquire();
    if (wait) await wait;
    // Wrapped in an object: an async function would otherwise adopt (await) the inner promise.
    return { ack: this.send(subject, data, o) };
  }

  /**
   * Publishes at once when a slot is free and nobody waits (returns the PubAck promise), else returns undefined
   * and takes nothing. Lets a batch go out synchronously in one tick, so the client writes it to the socket in one
   * go instead of once per message (an `await` between publishes lets the client flush after each).
   */
  trySend(subject: string, data: Uint8Array | string, o: PublishOptions = {}): Promise<PubAck> | undefined {
    if (this.inFlight >= this.opts.window || this.waiters.length > 0) return undefined;
    this.inFlight++;
    return this.send(subject, data, o);
  }

  /** The publish itself, once a slot is held. */
  private send(subject: string, data: Uint8Array | string, o: PublishOptions): Promise<PubAck> {
    let h = o.headers;
    if (o.msgId !== undefined) (h ??= natsHeaders()).set(Hdr.msgId, o.msgId);
    let span: Span | undefined;
    if (o.trace !== undefined && isSampled(o.trace)) {
      h ??= natsHeaders();
      span = this.traced(subject, o, h);
    }
    return this.inbox.publish(subject, data, h).then(
      (ack) => {
        this.release();
        this.published++;
        if (ack.duplicate) this.duplicates++;
        if (span) {
          span.setAttributes({ 'messaging.nats.stream_sequence': ack.seq, 'feed.duplicate': ack.duplicate });
          span.end();
        }
        return ack;
      },
      (e: unknown) => {
        this.release();
        this.failures++;
        if (span) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
          span.end();
        }
        throw e;
      },
    );
  }

  /** A sampled publish: PRODUCER span (messaging conventions) whose context is injected into the headers. */
  private traced(subject: string, o: PublishOptions, h: MsgHdrs): Span | undefined {
    if (!tracingActive()) {
      // No SDK in this process: still pass the upstream context on, so the trace continues past this stage.
      injectTrace(h, o.trace);
      return undefined;
    }
    const span = tracer.startSpan(
      `send ${subject}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [MessagingAttr.system]: NATS_SYSTEM,
          [MessagingAttr.operation]: 'send',
          [MessagingAttr.destination]: subject,
          ...(o.msgId !== undefined ? { [MessagingAttr.messageId]: o.msgId } : {}),
        },
      },
      o.trace,
    );
    injectTrace(h, trace.setSpan(o.trace as Context, span));
    return span;
  }

  /** Publish and wait for the PubAck (still subject to the window). */
  async publish(subject: string, data: Uint8Array | string, o: PublishOptions = {}): Promise<PubAck> {
    const { ack } = await this.start(subject, data, o);
    return ack;
  }

  /**
   * Publish a batch with as much overlap as the window allows; resolves when every PubAck is in, rejects with
   * the first failure after all settled (so no publish is left dangling).
   */
  async publishAll(msgs: ReadonlyArray<{ subject: string; data: Uint8Array | string } & PublishOptions>): Promise<PubAck[]> {
    return (await this.sendAll(msgs)).acks;
  }

  /**
   * Sends a batch in order and resolves once every message has LEFT (slots taken), without waiting for PubAcks;
   * `acks` settles when all PubAcks are in and rejects with the first failure. Lets a stage pipeline batches.
   */
  async sendAll(msgs: ReadonlyArray<{ subject: string; data: Uint8Array | string } & PublishOptions>): Promise<{ acks: Promise<PubAck[]> }> {
    const acks: Array<Promise<PubAck>> = [];
    for (const m of msgs) acks.push(this.trySend(m.subject, m.data, m) ?? (await this.start(m.subject, m.data, m)).ack);
    const all = Promise.allSettled(acks).then((settled) => {
      const failed = settled.find((x) => x.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      return settled.map((x) => (x as PromiseFulfilledResult<PubAck>).value);
    });
    return { acks: all };
  }

  /** Resolves when nothing is in flight (used on shutdown). */
  async idle(): Promise<void> {
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) {
      next(); // the slot passes to the oldest waiter; inFlight is unchanged
      return;
    }
    this.inFlight--;
    if (this.inFlight === 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of idle) r();
    }
  }
}
