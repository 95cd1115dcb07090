import type { PubAck } from '@nats-io/jetstream';
import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';

export type PublishErrorCode = 'PUBACK_TIMEOUT' | 'NO_RESPONDERS' | 'PUBACK_ERROR' | 'PUBACK_INVALID' | 'CONNECTION_CLOSED';

/** A JetStream publish that did not get a positive PubAck; `code` says why. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    message: string,
    readonly code: PublishErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface Pending {
  subject: string;
  deadline: number;
  resolve(ack: PubAck): void;
  reject(e: PublishError): void;
}

/**
 * JetStream publishes as core publishes whose reply subject is a token under ONE inbox subscription, with the
 * PubAcks matched by token, what the Go client's PublishAsync does. nats.js 3.3.1 (pinned) has no asynchronous
 * publish: `js.publish()` is a request, i.e. per message a request object, a mux registration, a timer, a
 * deferred promise and an async frame. Measured on one core against a local nats-server, window 1,000: 28 µs of
 * client CPU per message through `js.publish()`, 9-10 µs here (37,000 against 78,000 publishes/s;
 * tools/bench/src/publish-micro.ts, docs/benchmarks.md). The server's side is the same: a PUB with a reply
 * subject, answered with a PubAck.
 *
 * Same outcomes as `js.publish()` with its default single attempt: the PubAck (with `duplicate`), or an error for a
 * JetStream error reply, for "no responders" (no stream listens on the subject), for no PubAck within the
 * timeout, and when the connection closes. Timeouts are found by one sweeper timer for every pending publish,
 * not one timer each. A PubAck that arrives after its publish timed out is dropped (the caller has retried or
 * failed the batch; JetStream's msg-id dedupe absorbs a retry of a publish that did land).
 */
export class PubAckInbox {
  private readonly prefix: string;
  private sub: Subscription | undefined;
  private readonly pending = new Map<string, Pending>();
  private next = 0;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    // createInbox() gives `_INBOX.<nuid>`, the prefix every app's NATS permissions already allow replies on.
    this.prefix = `${createInbox()}.`;
    void nc.closed().then(() => {
      this.closed = true;
      this.failAll('CONNECTION_CLOSED', 'NATS connection closed before the PubAck');
    });
  }

  get size(): number {
    return this.pending.size;
  }

  /** Sends now (synchronously, in call order) and resolves with the PubAck. */
  publish(subject: string, data: Uint8Array | string, headers: MsgHdrs | undefined): Promise<PubAck> {
    if (this.closed) return Promise.reject(new PublishError('NATS connection is closed', 'CONNECTION_CLOSED'));
    this.sub ??= this.nc.subscribe(`${this.prefix}*`, { callback: (err, m) => this.onReply(err, m) });
    const token = (this.next++).toString(36);
    return new Promise<PubAck>((resolve, reject) => {
      this.pending.set(token, { subject, deadline: Date.now() + this.timeoutMs, resolve, reject });
      try {
        this.nc.publish(subject, data, headers ? { headers, reply: this.prefix + token } : { reply: this.prefix + token });
      } catch (e) {
        this.pending.delete(token);
        reject(new PublishError(`publish to ${subject} failed: ${e instanceof Error ? e.message : String(e)}`, 'CONNECTION_CLOSED', { cause: e }));
        return;
      }
      if (!this.sweeper) {
        this.sweeper = setInterval(() => this.sweep(), Math.max(20, Math.min(1_000, Math.floor(this.timeoutMs / 4))));
        this.sweeper.unref();
      }
    });
  }

  private onReply(err: Error | null, m: Msg): void {
    if (err) {
      // The inbox subscription itself failed (e.g. a permissions violation): nothing pending can be answered.
      this.failAll('PUBACK_ERROR', `PubAck inbox failed: ${err.message}`);
      this.sub = undefined;
      return;
    }
    const token = m.subject.slice(this.prefix.length);
    const p = this.pending.get(token);
    if (!p) return; // timed out already
    this.pending.delete(token);
    const h = m.headers;
    if (h?.hasError) {
      // 503 = no responders: no stream captures the subject (nats.js reports it as "jetstream is not enabled").
      const code: PublishErrorCode = h.code === 503 ? 'NO_RESPONDERS' : 'PUBACK_ERROR';
      p.reject(new PublishError(`publish to ${p.subject}: ${h.code} ${h.description || 'no responders (no stream for the subject)'}`, code));
      return;
    }
    let ack: { stream?: unknown; seq?: unknown; duplicate?: unknown; domain?: unknown; error?: { code?: number; err_code?: number; description?: string } };
    try {
      ack = JSON.parse(m.string()) as typeof ack;
    } catch {
      p.reject(new PublishError(`publish to ${p.subject}: PubAck is not JSON`, 'PUBACK_INVALID'));
      return;
    }
    if (ack.error) {
      p.reject(new PublishError(`publish to ${p.subject}: ${ack.error.description ?? 'JetStream error'} (${ack.error.err_code ?? ack.error.code ?? '?'})`, 'PUBACK_ERROR'));
      return;
    }
    if (typeof ack.stream !== 'string' || ack.stream === '' || typeof ack.seq !== 'number') {
      p.reject(new PublishError(`publish to ${p.subject}: invalid PubAck`, 'PUBACK_INVALID'));
      return;
    }
    p.resolve({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true, ...(typeof ack.domain === 'string' ? { domain: ack.domain } : {}) } as PubAck);
  }

  /** Pending publishes expire in insertion order (one timeout for all), so the scan stops at the first live one. */
  private sweep(): void {
    const now = Date.now();
    for (const [token, p] of this.pending) {
      if (p.deadline > now) break;
      this.pending.delete(token);
      p.reject(new PublishError(`no PubAck for ${p.subject} within ${this.timeoutMs} ms`, 'PUBACK_TIMEOUT'));
    }
    if (this.pending.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private failAll(code: PublishErrorCode, message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new PublishError(`${message} (${p.subject})`, code));
    if (this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
