import { bootTracing } from '@feed/tracing';

/**
 * main.ts imports this FIRST: the OpenTelemetry SDK must run before `http`, `express` or `ioredis` are loaded for
 * their instrumentations to apply. normalizer registers only the instrumentations it uses: [].
 */
export const tracing = bootTracing('normalizer', []);
