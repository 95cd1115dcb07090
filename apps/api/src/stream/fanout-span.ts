import { extractTrace, getTracer, MessagingAttr, NATS_SYSTEM, sampledTraceparent, tracingActive } from '@feed/tracing';
import { SpanKind } from '@opentelemetry/api';
import type { JsMsg } from '@nats-io/jetstream';

const tracer = getTracer('api');

/**
 * The api's step of a trade's trace: ONE CONSUMER span per sampled trade per api instance, a child of the MD
 * message's context, covering the push to every subscriber, with their number as an attribute (never a span per
 * subscriber: a popular symbol would multiply span volume by its audience). Unsampled trades cost one header read.
 */
export function tracedFanOut<I>(m: JsMsg, hub: { publish(item: I): number }, item: I): void {
  if (!tracingActive() || !sampledTraceparent(m.headers)) {
    hub.publish(item);
    return;
  }
  const span = tracer.startSpan(
    `fan-out ${m.subject}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [MessagingAttr.system]: NATS_SYSTEM,
        [MessagingAttr.operation]: 'process',
        [MessagingAttr.destination]: m.subject,
        'messaging.nats.stream_sequence': m.seq,
      },
    },
    extractTrace(m.headers),
  );
  try {
    span.setAttribute('feed.ws.subscribers', hub.publish(item));
  } finally {
    span.end();
  }
}
