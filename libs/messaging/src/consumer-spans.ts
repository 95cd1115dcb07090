import { extractTrace, getTracer, MessagingAttr, NATS_SYSTEM, sampledTraceparent, tracingActive } from '@feed/tracing';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Link, type Span } from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';
import type { Delivered } from './consumer-types';

const tracer = getTracer('messaging');

export type ItemOutcome = 'acked' | 'nakked' | 'dead_lettered';

/**
 * The trace context a consumed message continues: its extracted remote context when its traceparent is sampled,
 * else ROOT_CONTEXT (shared, nothing allocated). Unsampled messages stay unsampled downstream, as parent-based
 * sampling would decide anyway.
 */
export function messageContext(msg: JsMsg): Context {
  return sampledTraceparent(msg.headers) ? extractTrace(msg.headers) : ROOT_CONTEXT;
}

/**
 * Spans of one consumed batch that holds sampled messages (OpenTelemetry messaging conventions for batch
 * receiving): one CONSUMER span for the batch, a root linked to every sampled message's producer context, and
 * one CONSUMER span per sampled message, a CHILD of that message's context (so the trade's trace continues)
 * LINKED to the batch span. Each `Delivered.ctx` becomes its message span's context, so what the side effect
 * publishes is a child of it. Not created at all for a batch without sampled messages.
 */
export class BatchSpans<T> {
  readonly ctx: Context;
  private readonly batch: Span;
  private readonly items = new Map<Delivered<T>, Span>();

  private constructor(info: { consumer: string; filterSubject: string }, size: number, traced: Delivered<T>[]) {
    const common = { [MessagingAttr.system]: NATS_SYSTEM, [MessagingAttr.operation]: 'process', [MessagingAttr.consumerGroup]: info.consumer };
    const links: Link[] = [];
    for (const d of traced) {
      const sc = trace.getSpanContext(d.ctx);
      if (sc) links.push({ context: sc });
    }
    this.batch = tracer.startSpan(
      `process ${info.filterSubject}`,
      { kind: SpanKind.CONSUMER, root: true, links, attributes: { ...common, [MessagingAttr.destination]: info.filterSubject, [MessagingAttr.batchCount]: size } },
      ROOT_CONTEXT,
    );
    this.ctx = trace.setSpan(ROOT_CONTEXT, this.batch);
    const batchLink: Link[] = [{ context: this.batch.spanContext() }];
    for (const d of traced) {
      const msgId = d.msg.headers?.get('Nats-Msg-Id');
      const span = tracer.startSpan(
        `process ${d.subject}`,
        {
          kind: SpanKind.CONSUMER,
          links: batchLink,
          attributes: { ...common, [MessagingAttr.destination]: d.subject, 'messaging.nats.stream_sequence': d.seq, 'messaging.nats.delivery_count': d.deliveryCount, ...(msgId ? { [MessagingAttr.messageId]: msgId } : {}) },
        },
        d.ctx,
      );
      this.items.set(d, span);
      d.ctx = trace.setSpan(d.ctx, span);
    }
  }

  /** Starts the spans when tracing runs and the batch holds sampled messages; else undefined (and no cost). */
  static start<T>(info: { consumer: string; filterSubject: string }, size: number, traced: Delivered<T>[] | undefined): BatchSpans<T> | undefined {
    if (!traced || traced.length === 0 || !tracingActive()) return undefined;
    return new BatchSpans(info, size, traced);
  }

  /** Ends every span: each message span with its outcome (an error status unless acked), then the batch span. */
  end(outcome: (d: Delivered<T>) => ItemOutcome, error?: string): void {
    let failed = 0;
    for (const [d, span] of this.items) {
      const o = outcome(d);
      span.setAttribute('feed.outcome', o);
      if (o !== 'acked') {
        failed++;
        span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? o });
      }
      span.end();
    }
    if (failed > 0) this.batch.setStatus({ code: SpanStatusCode.ERROR, message: error ?? `${failed} sampled message(s) not acked` });
    this.batch.end();
  }
}
