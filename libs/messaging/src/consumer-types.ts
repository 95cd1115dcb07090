import type { Logger } from '@feed/logging';
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { Context } from '@opentelemetry/api';
import type { ConsumerMetrics } from './consumer-metrics';
import type { DeadLetterer } from './dead-letter';

/** One decoded message handed to the side effect, in delivery order. */
export interface Delivered<T> {
  value: T;
  msg: JsMsg;
  /** Stream sequence of the message. */
  seq: number;
  subject: string;
  deliveryCount: number;
  /**
   * The message's trace context: when its traceparent is sampled, its own consumer span (a child of the remote
   * context in its headers; just that remote context when no SDK runs here), else ROOT_CONTEXT. Publishes made for
   * this message pass it as `trace` so the trade stays one trace.
   */
  ctx: Context;
}

export interface ConsumerLoopOptions<T> {
  /** Label for logs and metrics (the durable name is a good choice). */
  name: string;
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  durable: string;
  /** One filter subject per consumer: nats-server 2.9 (Debian) supports no more. */
  filterSubject: string;
  ackWaitMs: number;
  /** -1 = unlimited. A finite value must survive outages: the loop stops fetching instead of burning deliveries. */
  maxDeliver: number;
  /** Server-side bound on unacked messages; also bounds this process's buffer. */
  maxAckPending: number;
  /** Most messages handed to `handle` at once. */
  batchSize: number;
  /**
   * Linger (default 0: none): a batch smaller than `batchSize` waits up to this long after its first message arrived
   * for more, so a side effect with a fixed cost per call (the persister's apply script) runs on fuller batches at
   * moderate rates. A full batch never waits, nor do messages left over after a batch (they have waited already).
   */
  lingerMs?: number;
  /** Pure decode + validate. Throw ValidationError/PoisonError for bad input: it is dead-lettered alone. */
  decode: (msg: JsMsg) => T;
  /**
   * The side effect for a batch of good messages. Throw TransientError on dependency trouble (the batch is nakked).
   * Items the side effect itself proves poison (e.g. a write Redis refuses for that event alone) are returned in
   * `rejected`: they are dead-lettered, the rest acked.
   */
  handle: (items: Delivered<T>[]) => Promise<void | HandleOutcome<T> | Pipelined<T>>;
  /** Most pipelined batches outstanding at once (default 1: each batch settles before the next starts). */
  maxPendingBatches?: number;
  deadLetter: DeadLetterer;
  /** Checked while paused; the loop resumes fetching when it resolves true. */
  probe: () => Promise<boolean>;
  probeIntervalMs: number;
  /** Delay before nakked messages are redelivered when a batch fails transiently. */
  nakDelayMs: number;
  /** When present, the loop fetches only while it returns true (single active writer behind a lease). */
  isActive?: () => boolean;
  /**
   * While isActive() is false but this is true (the lease is still ours, only a renewal is late), the loop holds
   * what it has and waits, instead of handing its messages back: nobody else can hold the lease meanwhile, and
   * handing back would reorder the stream (redeliveries arrive after newer messages).
   */
  isHeld?: () => boolean;
  log: Logger;
  metrics: ConsumerMetrics;
}

/**
 * Returned by a side effect that has SENT its work but not finished it (e.g. publishes awaiting PubAcks): the loop
 * moves on to the next batch and settles this one (ack, or nak on TransientError) when `settled` completes.
 */
export interface Pipelined<T> {
  settled: Promise<void | HandleOutcome<T>>;
}

export interface HandleOutcome<T> {
  rejected: Array<{ item: Delivered<T>; reason: string; detail: string }>;
}
