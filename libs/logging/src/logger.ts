import { context, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  instanceId: string;
  level: string;
  /** Where lines go; stdout by default (the container runtime collects it). Tests pass a stream. */
  destination?: pino.DestinationStream;
}

/** Field names whose values are never written, wherever they appear in a log object. */
const REDACT = [
  'password',
  'pass',
  'token',
  '*.password',
  '*.pass',
  '*.token',
  'headers.authorization',
  'redis.password',
  'nats.pass',
  'nats.token',
  // pino's wildcard covers ONE level: a whole config logged under a key (`{ cfg }`) nests secrets deeper.
  '*.*.password',
  '*.*.pass',
  '*.*.token',
  '*.*.*.password',
  '*.*.*.pass',
  '*.*.*.token',
  // OTLP exporter headers (OTEL_EXPORTER_OTLP_HEADERS) carry collector credentials under any header name.
  'otel.headers',
  '*.otel.headers',
  '*.*.otel.headers',
];

/**
 * Structured JSON logs, one object per line, with the active trace and span ids on every line emitted inside
 * a span (so a log line leads to its trace in Jaeger). Modules take a child logger: `log.child({ module })`.
 */
export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { service: opts.service, instance: opts.instanceId },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
      // pino's default `err` serializer rewrote errFields' plain object to `type: "Object"`, losing the error's
      // class; this one passes errFields output through and gives an Error the same compact form.
      serializers: { err: (v: unknown) => (v instanceof Error ? errFields(v)['err'] : v) },
      mixin() {
        const span = trace.getSpan(context.active());
        if (!span) return {};
        const sc = span.spanContext();
        return sc.traceId === '00000000000000000000000000000000' ? {} : { trace_id: sc.traceId, span_id: sc.spanId };
      },
    },
    opts.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** Log an error with its stable code, when it has one, without dumping huge objects. */
export function errFields(e: unknown): Record<string, unknown> {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { err: { type: e.name, message: e.message, ...(code !== undefined ? { code } : {}) } };
  }
  return { err: { message: String(e) } };
}
