import type { ConfigReader } from './reader';

/** The standard OTEL_TRACES_SAMPLER values (OpenTelemetry SDK environment specification). */
export const OTEL_SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type OtelSampler = (typeof OTEL_SAMPLERS)[number];

/**
 * Default head-sampling ratio for new traces (ingest frames, HTTP requests without a parent). Chosen from the
 * benchmark so tracing costs at most 10 % of the spine's throughput: docs/benchmarks.md ("Tracing overhead").
 */
export const DEFAULT_TRACE_RATIO = 0.01;

export interface OtelConfig {
  /** False when OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none: no SDK, no spans, no export. */
  enabled: boolean;
  /** OTEL_SERVICE_NAME; the app uses `feed-<app>` when unset. */
  serviceName?: string;
  /** OTEL_RESOURCE_ATTRIBUTES, `k=v,k2=v2` (values percent-decoded). */
  resourceAttributes: Record<string, string>;
  /** Full OTLP/HTTP traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces. */
  tracesUrl: string;
  /** OTEL_EXPORTER_OTLP_(TRACES_)HEADERS (may hold credentials: read as a secret, _FILE allowed, never logged). */
  headers: Record<string, string>;
  /** OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT: one export request's bound. */
  exportTimeoutMs: number;
  sampler: OtelSampler;
  /** OTEL_TRACES_SAMPLER_ARG: the ratio for the *traceidratio samplers, 0..1. */
  samplerRatio: number;
  /** OTEL_BSP_*: the batch span processor's bounded queue (a dead collector drops spans, never blocks). */
  bsp: { maxQueueSize: number; maxExportBatchSize: number; scheduleDelayMs: number; exportTimeoutMs: number };
}

function parsePairs(r: ConfigReader, name: string, text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const k = eq > 0 ? part.slice(0, eq).trim() : '';
    if (!k) {
      // Never echo the value: OTEL_EXPORTER_OTLP_HEADERS usually carries a token.
      r.problem(`${name} must be a comma-separated list of key=value pairs`);
      continue;
    }
    try {
      out[k] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      r.problem(`${name}: the value of ${k} is not valid percent-encoding`);
    }
  }
  return out;
}

/**
 * OpenTelemetry settings, read from the standard `OTEL_*` variables (hard rule 5: read here, handed to the SDK by
 * libs/tracing, which passes everything explicitly so the SDK's own environment lookups never decide anything).
 * Only OTLP over HTTP with JSON bodies is exported (Jaeger accepts it directly on :4318).
 */
export function readOtel(r: ConfigReader): OtelConfig {
  const disabled = r.bool('OTEL_SDK_DISABLED', { default: false });
  const exporter = r.oneOf('OTEL_TRACES_EXPORTER', ['otlp', 'none'] as const, { default: 'otlp' });
  const protocol = r.string('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', { aliases: ['OTEL_EXPORTER_OTLP_PROTOCOL'], default: 'http/json' });
  if (protocol !== 'http/json') r.problem(`OTEL_EXPORTER_OTLP_PROTOCOL=${JSON.stringify(protocol)} is not supported: Feed exports OTLP over HTTP as http/json`);
  const base = r.string('OTEL_EXPORTER_OTLP_ENDPOINT', { default: 'http://localhost:4318' });
  const tracesUrl = r.string('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', { default: `${base.replace(/\/+$/, '')}/v1/traces` });
  try {
    const u = new URL(tracesUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') r.problem(`OTLP traces endpoint ${tracesUrl} must be http(s)`);
  } catch {
    r.problem(`OTLP traces endpoint ${JSON.stringify(tracesUrl)} is not a URL`);
  }
  const headersName = r.optionalString('OTEL_EXPORTER_OTLP_TRACES_HEADERS') !== undefined || r.optionalString('OTEL_EXPORTER_OTLP_TRACES_HEADERS_FILE') !== undefined ? 'OTEL_EXPORTER_OTLP_TRACES_HEADERS' : 'OTEL_EXPORTER_OTLP_HEADERS';
  const headers = parsePairs(r, headersName, r.secret(headersName));
  const timeout = r.int('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', { aliases: ['OTEL_EXPORTER_OTLP_TIMEOUT'], default: 10_000, min: 100, max: 120_000 });
  const sampler = r.oneOf('OTEL_TRACES_SAMPLER', OTEL_SAMPLERS, { default: 'parentbased_traceidratio' });
  const ratio = r.number('OTEL_TRACES_SAMPLER_ARG', { default: DEFAULT_TRACE_RATIO, min: 0, max: 1 });
  const maxQueueSize = r.int('OTEL_BSP_MAX_QUEUE_SIZE', { default: 2048, min: 1, max: 1_000_000 });
  const maxExportBatchSize = r.int('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', { default: 512, min: 1, max: 1_000_000 });
  if (maxExportBatchSize > maxQueueSize) r.problem(`OTEL_BSP_MAX_EXPORT_BATCH_SIZE=${maxExportBatchSize} must not exceed OTEL_BSP_MAX_QUEUE_SIZE=${maxQueueSize}`);
  const cfg: OtelConfig = {
    enabled: !disabled && exporter !== 'none',
    resourceAttributes: parsePairs(r, 'OTEL_RESOURCE_ATTRIBUTES', r.optionalString('OTEL_RESOURCE_ATTRIBUTES')),
    tracesUrl,
    headers,
    exportTimeoutMs: timeout,
    sampler,
    samplerRatio: ratio,
    bsp: {
      maxQueueSize,
      maxExportBatchSize,
      scheduleDelayMs: r.int('OTEL_BSP_SCHEDULE_DELAY', { default: 5_000, min: 1, max: 600_000 }),
      exportTimeoutMs: r.int('OTEL_BSP_EXPORT_TIMEOUT', { default: 30_000, min: 100, max: 600_000 }),
    },
  };
  const serviceName = r.optionalString('OTEL_SERVICE_NAME');
  if (serviceName) cfg.serviceName = serviceName;
  return cfg;
}
