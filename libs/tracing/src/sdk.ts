import type { OtelConfig } from '@feed/config';
import type { Registry } from '@feed/metrics';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type * as OtlpHttp from '@opentelemetry/exporter-trace-otlp-http';
import type * as InstrumentationApi from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type * as InstrExpress from '@opentelemetry/instrumentation-express';
import type * as InstrHttp from '@opentelemetry/instrumentation-http';
import type * as InstrIoredis from '@opentelemetry/instrumentation-ioredis';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkTrace from '@opentelemetry/sdk-trace-base';
import type * as SdkTraceNode from '@opentelemetry/sdk-trace-node';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { CountingExporter, dropCountingMeterProvider, ExportStats } from './export-stats';
import { createSampler, rootDecision } from './sampler';
import { SyncContextManager } from './sync-context';

/*
 * The SDK, its exporter and the instrumentations are required lazily, inside startTracing: a process with tracing
 * disabled pays nothing for them (~20 MiB of RSS) under the 150 MB per-app bound.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const load = {
  sdkTraceNode: () => require('@opentelemetry/sdk-trace-node') as typeof SdkTraceNode,
  instrumentation: () => require('@opentelemetry/instrumentation') as typeof InstrumentationApi,
  sdkTrace: () => require('@opentelemetry/sdk-trace-base') as typeof SdkTrace,
  otlpHttp: () => require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpHttp,
  resources: () => require('@opentelemetry/resources') as typeof Resources,
  http: () => require('@opentelemetry/instrumentation-http') as typeof InstrHttp,
  express: () => require('@opentelemetry/instrumentation-express') as typeof InstrExpress,
  ioredis: () => require('@opentelemetry/instrumentation-ioredis') as typeof InstrIoredis,
};
/* eslint-enable @typescript-eslint/no-require-imports */

export type TracingContext = 'async' | 'sync';

/** The standard instrumentations Feed uses; each app registers only those it needs (memory, noise). */
export type InstrumentationName = 'http' | 'express' | 'ioredis';

export interface TracingOptions {
  /** Short app name (ingest, normalizer, ...): the service name is `feed-<service>` unless OTEL_SERVICE_NAME says. */
  service: string;
  instanceId: string;
  otel: OtelConfig;
  instrumentations: readonly InstrumentationName[];
  /**
   * How the active context follows the code: `async` (AsyncLocalStorage, across awaits) where instrumented calls
   * happen after awaits (the api's express handlers); `sync` (SyncContextManager, no promise hooks) where every
   * span takes an explicit parent and instrumented calls are issued synchronously inside `with()`.
   */
  context: TracingContext;
  /**
   * Replaces the OTLP/HTTP exporter (still wrapped by the failure counter and the bounded queue). For unit tests of
   * the queue and counters only: the OTLP exporter loads `http` by dynamic import, which jest's VM cannot run
   * (e2e/src/tracing.e2e.spec.ts covers the real exporter against a real receiver).
   */
  exporter?: SpanExporter;
}

export interface Tracing {
  readonly enabled: boolean;
  readonly serviceName: string;
  readonly stats: ExportStats;
  /** Registers the export counters in the app's prom-client registry (created after tracing started). */
  bindMetrics(registry: Registry): void;
  /** Flushes what is queued and stops; gives up after `timeoutMs` (a dead collector must not hold a shutdown). */
  shutdown(timeoutMs: number): Promise<void>;
}

let active = false;
let decideRoot: () => boolean = () => false;

/** Whether an SDK is running in this process: hot paths skip all span work when not. */
export function tracingActive(): boolean {
  return active;
}

/**
 * Whether a NEW trace should start here (the configured root sampling, decided without creating anything). A
 * caller that gets true starts its root span with the HEAD_SAMPLED attribute so the SDK does not decide again.
 */
export function headSampled(): boolean {
  return active && decideRoot();
}

/** Requests that are operations traffic, not user traffic: never traced (a scrape every few seconds is noise). */
const OPS_PATHS = new Set(['/metrics', '/health', '/ready']);

function instrumentation(name: InstrumentationName): Instrumentation {
  switch (name) {
    case 'http':
      return new (load.http().HttpInstrumentation)({ ignoreIncomingRequestHook: (req) => OPS_PATHS.has((req.url ?? '').split('?')[0] ?? '') });
    case 'express':
      return new (load.express().ExpressInstrumentation)();
    case 'ioredis':
      // Only commands made inside a trace (a batch apply, a REST read): no root span per health PING. The statement
      // is the command name alone: EVALSHA argv is thousands of values per batch, and AUTH carries the password.
      return new (load.ioredis().IORedisInstrumentation)({ requireParentSpan: true, dbStatementSerializer: (cmd) => cmd });
  }
}

/**
 * Starts the OpenTelemetry Node SDK (`@opentelemetry/sdk-trace-node`) with everything passed explicitly from
 * `OtelConfig` (libs/config read the OTEL_* variables): OTLP/HTTP JSON exporter, a bounded BatchSpanProcessor
 * whose drops and failed exports are counted, the configured parent-based sampler, the app's context manager, W3C
 * propagation, and no SDK metrics or logs pipelines
 * (prom-client does metrics, pino does logs; leaving them to the SDK's env defaults made shutdown take 8-9 s).
 * Call it before anything imports `http`, `express` or `ioredis` (see each app's instrument.ts).
 */
export function startTracing(o: TracingOptions): Tracing {
  const stats = new ExportStats();
  const serviceName = o.otel.serviceName ?? `feed-${o.service}`;
  if (!o.otel.enabled) {
    return { enabled: false, serviceName, stats, bindMetrics: (r) => stats.bind(r), shutdown: async () => undefined };
  }
  const exporter = new CountingExporter(o.exporter ?? new (load.otlpHttp().OTLPTraceExporter)({ url: o.otel.tracesUrl, headers: o.otel.headers, timeoutMillis: o.otel.exportTimeoutMs }), stats);
  const { BatchSpanProcessor } = load.sdkTrace();
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: o.otel.bsp.maxQueueSize,
    maxExportBatchSize: o.otel.bsp.maxExportBatchSize,
    scheduledDelayMillis: o.otel.bsp.scheduleDelayMs,
    exportTimeoutMillis: o.otel.bsp.exportTimeoutMs,
    // Public option of the processor: its drop accounting goes to feed_otel_spans_dropped_total.
    selfObsMeterProvider: dropCountingMeterProvider(stats),
  } as ConstructorParameters<typeof SdkTrace.BatchSpanProcessor>[1]);
  // The Node SDK's own parts, wired as @opentelemetry/sdk-node's NodeSDK.start() wires them (instrumentations,
  // AsyncLocalStorage context manager, propagator, tracer provider), without its module graph: NodeSDK's file
  // requires every exporter it can build from env (OTLP gRPC/proto/HTTP for traces, metrics and logs, Zipkin,
  // Prometheus), the metrics and logs SDKs and a YAML parser, ~47 MiB of RSS and 1,700 modules per app against
  // ~20 MiB here (docs/tracing.md), which put a traced app under backlog over the 150 MB bound.
  const provider = new (load.sdkTraceNode().NodeTracerProvider)({
    resource: load.resources().resourceFromAttributes({ ...o.otel.resourceAttributes, 'service.name': serviceName, 'service.namespace': 'feed', 'service.instance.id': o.instanceId }),
    sampler: createSampler(o.otel.sampler, o.otel.samplerRatio),
    spanProcessors: [processor],
  });
  // Registers the provider globally with W3C propagation only and the app's context manager (AsyncLocalStorage is
  // the default; see SyncContextManager for when an app does without it).
  provider.register({ propagator: new W3CTraceContextPropagator(), ...(o.context === 'sync' ? { contextManager: new SyncContextManager() } : {}) });
  const disableInstrumentations = load.instrumentation().registerInstrumentations({ tracerProvider: provider, instrumentations: o.instrumentations.map(instrumentation) });
  decideRoot = rootDecision(o.otel.sampler, o.otel.samplerRatio);
  active = true;
  let stopped: Promise<void> | undefined;
  return {
    enabled: true,
    serviceName,
    stats,
    bindMetrics: (r) => stats.bind(r),
    shutdown: (timeoutMs) => {
      stopped ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([provider.shutdown().catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
        } finally {
          if (timer) clearTimeout(timer);
          disableInstrumentations();
          active = false;
        }
      })();
      return stopped;
    },
  };
}
