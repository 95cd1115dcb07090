import { createNoopMeter, type Attributes, type Meter, type MeterProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Counter, type Registry } from '@feed/metrics';

/**
 * Export failures and dropped spans, counted from the moment the SDK starts (before the app's registry exists:
 * tracing starts first thing) and exposed as Prometheus counters once `bind(registry)` is called.
 */
export class ExportStats {
  failures = 0;
  dropped = 0;
  private failuresCounter: Counter | undefined;
  private droppedCounter: Counter | undefined;

  addFailure(): void {
    this.failures++;
    this.failuresCounter?.inc();
  }

  addDropped(n: number): void {
    this.dropped += n;
    this.droppedCounter?.inc(n);
  }

  /** Registers `feed_otel_export_failures_total` and `feed_otel_spans_dropped_total` in the app's registry. */
  bind(registry: Registry): void {
    if (this.failuresCounter) return;
    this.failuresCounter = new Counter({
      name: 'feed_otel_export_failures_total',
      help: 'Span export requests to the OTLP collector that failed (collector down, refused or timed out); their spans are lost.',
      registers: [registry],
    });
    this.droppedCounter = new Counter({
      name: 'feed_otel_spans_dropped_total',
      help: 'Finished spans dropped because the bounded export queue (OTEL_BSP_MAX_QUEUE_SIZE) was full.',
      registers: [registry],
    });
    this.failuresCounter.inc(this.failures);
    this.droppedCounter.inc(this.dropped);
  }
}

/** Wraps the OTLP exporter to count failed export requests. */
export class CountingExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly stats: ExportStats,
  ) {}

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.inner.export(spans, (r) => {
      if (r.code !== ExportResultCode.SUCCESS) this.stats.addFailure();
      done(r);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush ? this.inner.forceFlush() : Promise.resolve();
  }
}

/** The SDK's self-observability counter the batch span processor reports drops on (semantic conventions). */
const PROCESSED = 'otel.sdk.processor.span.processed';

/**
 * A MeterProvider handed to the BatchSpanProcessor (its `selfObsMeterProvider` option) so that its own drop
 * accounting, `otel.sdk.processor.span.processed{error.type="queue_full"}`, lands in prom-client instead of an
 * OpenTelemetry metrics pipeline Feed does not run. Every other instrument is a no-op.
 */
export function dropCountingMeterProvider(stats: ExportStats): MeterProvider {
  const noop = createNoopMeter();
  const meter: Meter = Object.create(noop) as Meter;
  meter.createCounter = ((name: string, opts?: object) => {
    if (name !== PROCESSED) return noop.createCounter(name, opts);
    return {
      add: (n: number, attrs?: Attributes) => {
        if (attrs?.['error.type'] === 'queue_full') stats.addDropped(n);
      },
    };
  }) as Meter['createCounter'];
  return { getMeter: () => meter };
}
