import { readOtel, ConfigReader } from '@feed/config';
import { Registry } from '@feed/metrics';
import { context, propagation, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { getTracer } from './tracer';
import { startTracing, tracingActive, type Tracing } from './sdk';

jest.setTimeout(30_000);

/**
 * The SDK wiring, the bounded queue and the counters. The real OTLP/HTTP exporter cannot run under jest (it loads
 * `http` by dynamic import, which jest's VM refuses), so these tests hand the SDK an exporter; the real exporter
 * against a real receiver, and against a closed port, is e2e/src/tracing.e2e.spec.ts.
 */
function start(env: Record<string, string>, exporter: SpanExporter): Tracing {
  return startTracing({ service: 'spec', instanceId: 'spec-1', otel: readOtel(new ConfigReader({ OTEL_TRACES_SAMPLER: 'always_on', ...env })), instrumentations: [], context: 'sync', exporter });
}

function spans(n: number): void {
  const tracer = getTracer('spec');
  for (let i = 0; i < n; i++) tracer.startSpan(`s${i}`).end();
}

/** Answers every export with `code`, or never when `code` is undefined (a stuck collector). */
class ScriptedExporter implements SpanExporter {
  calls = 0;
  readonly received: ReadableSpan[] = [];
  constructor(private readonly code: ExportResultCode | undefined) {}
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.calls++;
    this.received.push(...spans);
    if (this.code !== undefined) done({ code: this.code, ...(this.code === ExportResultCode.FAILED ? { error: new Error('collector refused') } : {}) });
  }
  async shutdown(): Promise<void> {
    return undefined;
  }
}

afterEach(() => {
  // Each test starts its own SDK: clear the API's globals so the next one can register.
  trace.disable();
  context.disable();
  propagation.disable();
});

describe('startTracing', () => {
  it('exports ended spans with the service resource (service.name from OTEL_SERVICE_NAME, instance id) and counts nothing on success', async () => {
    // (InMemorySpanExporter forgets its spans on shutdown, so a keeping exporter is used here.)
    const mem = new ScriptedExporter(ExportResultCode.SUCCESS);
    const t = start({ OTEL_SERVICE_NAME: 'feed-spec', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test' }, mem);
    expect(t).toMatchObject({ enabled: true, serviceName: 'feed-spec' });
    expect(tracingActive()).toBe(true);
    spans(3);
    await t.shutdown(10_000);
    expect(tracingActive()).toBe(false);
    const got = mem.received;
    expect(got.map((s) => s.name).sort()).toEqual(['s0', 's1', 's2']);
    expect(got[0]?.resource.attributes).toMatchObject({ 'service.name': 'feed-spec', 'service.instance.id': 'spec-1', 'service.namespace': 'feed', 'deployment.environment': 'test' });
    expect(t.stats).toMatchObject({ failures: 0, dropped: 0 });
  });

  it('names the service feed-<app> by default and samples by the configured ratio (0: nothing recorded)', async () => {
    const mem = new InMemorySpanExporter();
    const t = start({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }, mem);
    expect(t.serviceName).toBe('feed-spec');
    expect(getTracer('spec').startSpan('x').isRecording()).toBe(false);
    await t.shutdown(10_000);
    expect(mem.getFinishedSpans()).toEqual([]);
  });

  it('counts a failed export in feed_otel_export_failures_total, also when the registry is bound after the fact', async () => {
    const t = start({}, new ScriptedExporter(ExportResultCode.FAILED));
    spans(2);
    await t.shutdown(10_000);
    expect(t.stats.failures).toBe(1);
    const registry = new Registry();
    t.bindMetrics(registry);
    const text = await registry.metrics();
    expect(text).toContain('feed_otel_export_failures_total 1');
    expect(text).toContain('feed_otel_spans_dropped_total 0');
  });

  it('drops (and counts) spans beyond the bounded queue while a stuck export holds it; shutdown still returns', async () => {
    const stuck = new ScriptedExporter(undefined);
    const t = start({ OTEL_BSP_MAX_QUEUE_SIZE: '4', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4', OTEL_BSP_SCHEDULE_DELAY: '60000', OTEL_BSP_EXPORT_TIMEOUT: '60000' }, stuck);
    const registry = new Registry();
    t.bindMetrics(registry);
    spans(4); // a full batch: handed to the exporter at once, which never answers
    expect(stuck.calls).toBe(1);
    spans(20); // 4 wait in the queue, 16 are dropped
    expect(t.stats.dropped).toBe(16);
    expect(await registry.metrics()).toContain('feed_otel_spans_dropped_total 16');
    // Bounded by its argument, not by the stuck export's 60 s timeout (jest's 30 s would catch a hang).
    await t.shutdown(300);
  });

  it('does nothing when disabled (OTEL_SDK_DISABLED=true): no SDK, no-op tracer, counters still registrable', async () => {
    const mem = new InMemorySpanExporter();
    const t = start({ OTEL_SDK_DISABLED: 'true' }, mem);
    expect(t.enabled).toBe(false);
    expect(tracingActive()).toBe(false);
    expect(getTracer('spec').startSpan('x').isRecording()).toBe(false);
    const registry = new Registry();
    t.bindMetrics(registry);
    expect(await registry.metrics()).toContain('feed_otel_export_failures_total 0');
    await t.shutdown(100);
    expect(mem.getFinishedSpans()).toEqual([]);
  });
});
