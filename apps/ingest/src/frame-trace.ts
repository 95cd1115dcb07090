import { getTracer, HEAD_SAMPLED, headSampled } from '@feed/tracing';
import { ROOT_CONTEXT, SpanKind, trace, type Context } from '@opentelemetry/api';

const tracer = getTracer('ingest');

/**
 * Where a trade's trace begins: a root CONSUMER span for a venue frame read off the socket, started at its receive
 * time. The head-sampling decision (OTEL_TRACES_SAMPLER_ARG) is made here, before any span exists: an unsampled
 * frame returns undefined and its RAW message carries no traceparent, so no later stage spends anything on it. A
 * sampled one returns the context its RAW publish continues (the publisher adds the PRODUCER span and header).
 */
export function frameTrace(venue: string, channel: string, symbol: string, recvUs: number, bytes: number): Context | undefined {
  if (!headSampled()) return undefined;
  const span = tracer.startSpan(
    `receive ${venue} ${channel}`,
    { kind: SpanKind.CONSUMER, root: true, startTime: recvUs / 1000, attributes: { [HEAD_SAMPLED]: true, 'feed.venue': venue, 'feed.channel': channel, 'feed.symbol': symbol, 'messaging.message.body.size': bytes } },
    ROOT_CONTEXT,
  );
  if (!span.isRecording()) return undefined;
  span.end();
  return trace.setSpan(ROOT_CONTEXT, span);
}
