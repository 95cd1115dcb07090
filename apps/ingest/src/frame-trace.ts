import { getTracer, tracingActive } from '@feed/tracing';
import { ROOT_CONTEXT, SpanKind, trace, type Context } from '@opentelemetry/api';

const tracer = getTracer('ingest');

/**
 * Where a trade's trace begins: a root CONSUMER span for a venue frame read off the socket, started at its receive
 * time. The head-sampling decision is made here (OTEL_TRACES_SAMPLER_ARG); an unsampled frame returns undefined and
 * its RAW message carries no traceparent, so no later stage spends anything on it. A sampled one returns the
 * context its RAW publish continues (the publisher adds the PRODUCER span and the header).
 */
export function frameTrace(venue: string, channel: string, symbol: string, recvUs: number, bytes: number): Context | undefined {
  if (!tracingActive()) return undefined;
  const span = tracer.startSpan(
    `receive ${venue} ${channel}`,
    { kind: SpanKind.CONSUMER, root: true, startTime: recvUs / 1000, attributes: { 'feed.venue': venue, 'feed.channel': channel, 'feed.symbol': symbol, 'messaging.message.body.size': bytes } },
    ROOT_CONTEXT,
  );
  if (!span.isRecording()) return undefined;
  span.end();
  return trace.setSpan(ROOT_CONTEXT, span);
}
