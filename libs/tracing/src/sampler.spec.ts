import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Link } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { headers } from '@nats-io/transport-node';
import { createSampler, HEAD_SAMPLED, isSampled, rootDecision } from './sampler';
import { sampledTraceparent } from './sampled-header';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const parent = (flags: number) => trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: flags, isRemote: true }));
const link = (flags: number): Link => ({ context: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: flags } });
// TraceIdRatioBased keeps ids whose low 8 bytes fall under ratio * 2^64: an all-f id is never kept below 1.0.
const HIGH_ID = 'ffffffffffffffffffffffffffffffff';

describe('createSampler', () => {
  const decide = (s: ReturnType<typeof createSampler>, ctx = ROOT_CONTEXT, traceId = HIGH_ID, links: Link[] = []) => s.shouldSample(ctx, traceId, 'x', SpanKind.CONSUMER, {}, links).decision;

  it('parentbased_traceidratio follows a sampled or unsampled parent whatever the ratio', () => {
    const s = createSampler('parentbased_traceidratio', 0);
    expect(decide(s, parent(TraceFlags.SAMPLED))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(createSampler('parentbased_traceidratio', 1), parent(TraceFlags.NONE))).toBe(SamplingDecision.NOT_RECORD);
  });

  it('samples roots by ratio: 0 never, 1 always', () => {
    expect(decide(createSampler('parentbased_traceidratio', 0))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(createSampler('parentbased_traceidratio', 1))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(createSampler('parentbased_traceidratio', 0.5), ROOT_CONTEXT, '00000000000000000000000000000001')).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('samples a root batch span that links to a sampled message, even at ratio 0; unsampled links do not count', () => {
    const s = createSampler('parentbased_traceidratio', 0);
    expect(decide(s, ROOT_CONTEXT, HIGH_ID, [link(TraceFlags.NONE), link(TraceFlags.SAMPLED)])).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(s, ROOT_CONTEXT, HIGH_ID, [link(TraceFlags.NONE)])).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(createSampler('parentbased_always_off', 0), ROOT_CONTEXT, HIGH_ID, [link(TraceFlags.SAMPLED)])).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('samples a root its caller marked HEAD_SAMPLED (decided by headSampled), even at ratio 0', () => {
    const s = createSampler('parentbased_traceidratio', 0);
    expect(s.shouldSample(ROOT_CONTEXT, HIGH_ID, 'x', SpanKind.CONSUMER, { [HEAD_SAMPLED]: true }, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(s.shouldSample(ROOT_CONTEXT, HIGH_ID, 'x', SpanKind.CONSUMER, { [HEAD_SAMPLED]: 'yes' }, []).decision).toBe(SamplingDecision.NOT_RECORD);
  });

  it('always_on / always_off ignore everything', () => {
    expect(decide(createSampler('always_on', 0), parent(TraceFlags.NONE))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(createSampler('always_off', 1), parent(TraceFlags.SAMPLED), HIGH_ID, [link(TraceFlags.SAMPLED)])).toBe(SamplingDecision.NOT_RECORD);
  });

  it('isSampled reads the context flag', () => {
    expect(isSampled(parent(TraceFlags.SAMPLED))).toBe(true);
    expect(isSampled(parent(TraceFlags.NONE))).toBe(false);
    expect(isSampled(ROOT_CONTEXT)).toBe(false);
  });
});

describe('sampledTraceparent (the per-message check on consume paths)', () => {
  const h = (tp?: string) => {
    const x = headers();
    if (tp !== undefined) x.set('traceparent', tp);
    return x;
  };

  it.each([
    ['01', true],
    ['00', false],
    ['03', true],
    ['02', false],
    ['0b', true],
    ['ff', true],
    ['fe', false],
  ])('flags %s -> %s', (flags, expected) => {
    expect(sampledTraceparent(h(`00-${TRACE_ID}-${SPAN_ID}-${flags}`))).toBe(expected);
  });

  it('is false without headers, without a traceparent, or for a truncated one', () => {
    expect(sampledTraceparent(undefined)).toBe(false);
    expect(sampledTraceparent(h())).toBe(false);
    expect(sampledTraceparent(h(`00-${TRACE_ID}-${SPAN_ID}`))).toBe(false);
    expect(sampledTraceparent(h('garbage'))).toBe(false);
  });
});

describe('rootDecision (head sampling without a span)', () => {
  it('follows the sampler kind: on, off, and the ratio kinds at 0 and 1', () => {
    expect(rootDecision('always_on', 0)()).toBe(true);
    expect(rootDecision('parentbased_always_on', 0)()).toBe(true);
    expect(rootDecision('always_off', 1)()).toBe(false);
    expect(rootDecision('parentbased_always_off', 1)()).toBe(false);
    expect(rootDecision('parentbased_traceidratio', 0)()).toBe(false);
    expect(rootDecision('traceidratio', 1)()).toBe(true);
  });

  it('keeps about `ratio` of roots', () => {
    const decide = rootDecision('parentbased_traceidratio', 0.25);
    let kept = 0;
    for (let i = 0; i < 40_000; i++) if (decide()) kept++;
    // 40,000 draws at p = 0.25: the standard deviation is ~87, so +-1,000 is beyond any plausible chance.
    expect(kept).toBeGreaterThan(9_000);
    expect(kept).toBeLessThan(11_000);
  });
});
