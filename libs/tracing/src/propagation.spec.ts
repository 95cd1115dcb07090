import { cleanupAll, startNats, waitFor } from '@feed/testing';
import { context, createTraceState, ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { connect, headers, type Msg } from '@nats-io/transport-node';
import { activeTraceId, extractTrace, injectTrace } from './propagation';

jest.setTimeout(30_000);

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const sampled: SpanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED };
const withSpan = (sc: SpanContext) => trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(sc));
const ctxManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  ctxManager.enable();
  context.setGlobalContextManager(ctxManager);
});

afterAll(async () => {
  context.disable();
  await cleanupAll();
});

describe('injectTrace / extractTrace over nats.js MsgHdrs', () => {
  it('round-trips a sampled span context through traceparent', () => {
    const h = headers();
    injectTrace(h, withSpan(sampled));
    expect(h.get('traceparent')).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
    expect(h.has('tracestate')).toBe(false);
    expect(trace.getSpanContext(extractTrace(h))).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  });

  it('uses the active context by default', () => {
    const h = headers();
    context.with(withSpan(sampled), () => injectTrace(h));
    expect(h.get('traceparent')).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
  });

  it('carries tracestate both ways', () => {
    const h = headers();
    injectTrace(h, withSpan({ ...sampled, traceState: createTraceState('vendor=abc,rojo=00f067aa0ba902b7') }));
    expect(h.get('tracestate')).toBe('vendor=abc,rojo=00f067aa0ba902b7');
    const sc = trace.getSpanContext(extractTrace(h));
    expect(sc?.traceState?.serialize()).toBe('vendor=abc,rojo=00f067aa0ba902b7');
    expect(sc?.traceState?.get('rojo')).toBe('00f067aa0ba902b7');
  });

  it('keeps the not-sampled flag (W3C: the decision travels with the context)', () => {
    const h = headers();
    injectTrace(h, withSpan({ ...sampled, traceFlags: TraceFlags.NONE }));
    expect(h.get('traceparent')).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
    expect(trace.getSpanContext(extractTrace(h))?.traceFlags).toBe(TraceFlags.NONE);
  });

  it('is a no-op without a span, and with the invalid all-zero span context', () => {
    const h = headers();
    injectTrace(h, ROOT_CONTEXT);
    injectTrace(h); // no active span either
    injectTrace(h, withSpan({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED }));
    expect(h.has('traceparent')).toBe(false);
    expect(h.has('tracestate')).toBe(false);
    expect([...h.keys()]).toEqual([]);
  });

  it('does not disturb other headers already set', () => {
    const h = headers();
    h.set('Nats-Msg-Id', 'trade:binance:BTC-USDT:1');
    injectTrace(h, withSpan(sampled));
    expect(h.get('Nats-Msg-Id')).toBe('trade:binance:BTC-USDT:1');
    expect([...h.keys()].sort()).toEqual(['Nats-Msg-Id', 'traceparent']);
  });

  it.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['non-hex trace id', `00-${'z'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${TRACE_ID.slice(2)}-${SPAN_ID}-01`],
    ['forbidden version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['upper-case hex', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['trailing data on version 00', `00-${TRACE_ID}-${SPAN_ID}-01-extra`],
  ])('ignores a bad traceparent (%s)', (_what, value) => {
    const h = headers();
    h.set('traceparent', value);
    h.set('tracestate', 'vendor=abc');
    const ctx = extractTrace(h);
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(activeTraceId(ctx)).toBeUndefined();
  });

  it('returns a context without a span when there are no headers at all', () => {
    expect(trace.getSpanContext(extractTrace(undefined))).toBeUndefined();
    expect(trace.getSpanContext(extractTrace(headers()))).toBeUndefined();
  });
});

describe('activeTraceId', () => {
  it('is the trace id inside a span and undefined outside', () => {
    expect(activeTraceId()).toBeUndefined();
    expect(context.with(withSpan(sampled), () => activeTraceId())).toBe(TRACE_ID);
    expect(activeTraceId(withSpan(sampled))).toBe(TRACE_ID);
  });
});

describe('through a real nats-server', () => {
  it('a subscriber extracts the publisher’s span context from the delivered message headers', async () => {
    const nats = await startNats({ jetstream: false });
    const pub = await connect({ servers: nats.url });
    const sub = await connect({ servers: nats.url });
    try {
      const got: Msg[] = [];
      const s = sub.subscribe('feed.md.v1.trade.BTC-USDT.binance', { callback: (_e, m) => void got.push(m) });
      await sub.flush();
      const traced = headers();
      injectTrace(traced, withSpan({ ...sampled, traceState: createTraceState('feed=1') }));
      pub.publish('feed.md.v1.trade.BTC-USDT.binance', 'traced', { headers: traced });
      const untraced = headers();
      injectTrace(untraced, ROOT_CONTEXT);
      untraced.set('Nats-Msg-Id', 'x');
      pub.publish('feed.md.v1.trade.BTC-USDT.binance', 'untraced', { headers: untraced });
      await pub.flush();
      await waitFor(() => got.length === 2, { what: 'both messages to arrive' });
      s.unsubscribe();

      const [a, b] = got as [Msg, Msg];
      expect(a.string()).toBe('traced');
      expect(a.headers?.get('traceparent')).toBe(`00-${TRACE_ID}-${SPAN_ID}-01`);
      const sc = trace.getSpanContext(extractTrace(a.headers));
      expect(sc).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
      expect(sc?.traceState?.serialize()).toBe('feed=1');

      expect(b.string()).toBe('untraced');
      expect(b.headers?.has('traceparent')).toBe(false);
      expect(trace.getSpanContext(extractTrace(b.headers))).toBeUndefined();
    } finally {
      await pub.close();
      await sub.close();
    }
  });
});
