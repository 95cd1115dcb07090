import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C trace context over NATS message headers (hard rule 7). There is no maintained OpenTelemetry
 * instrumentation for the nats.js v3 client, so every publish injects `traceparent`/`tracestate` here and every
 * consume extracts them, making one trade one trace across ingest -> normalizer -> persister -> api.
 */

/** The subset of nats.js `MsgHdrs` used here, so this lib does not depend on the NATS client. */
export interface HeaderCarrier {
  get(k: string): string;
  set(k: string, v: string): void;
  has(k: string): boolean;
}

const w3c = new W3CTraceContextPropagator();

const setter: TextMapSetter<HeaderCarrier> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

const getter: TextMapGetter<HeaderCarrier | undefined> = {
  keys: () => ['traceparent', 'tracestate'],
  get: (carrier, key) => (carrier && carrier.has(key) ? carrier.get(key) : undefined),
};

/** Write the active (or given) context's trace headers into `headers`. No-op when there is no sampled span. */
export function injectTrace(headers: HeaderCarrier, ctx: Context = context.active()): void {
  if (!trace.getSpanContext(ctx)) return;
  w3c.inject(ctx, headers, setter);
}

/** Read a remote parent context from message headers (ROOT_CONTEXT-based when absent). */
export function extractTrace(headers: HeaderCarrier | undefined): Context {
  return w3c.extract(ROOT_CONTEXT, headers, getter);
}

/** The W3C propagator is also registered globally so HTTP instrumentations use the same format. */
export function registerW3CPropagator(): void {
  propagation.setGlobalPropagator(w3c);
}

/** Trace id of the active span, or undefined when none is recording. */
export function activeTraceId(ctx: Context = context.active()): string | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && sc.traceId !== '00000000000000000000000000000000' ? sc.traceId : undefined;
}
