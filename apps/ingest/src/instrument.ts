import { bootTracing } from '@feed/tracing';

/**
 * main.ts imports this FIRST: the OpenTelemetry SDK must run before `http`, `express` or `ioredis` are loaded for
 * their instrumentations to apply. ingest registers only the instrumentations it uses: [].
 * No async context propagation ('sync', see SyncContextManager): every span here takes an explicit parent.
 */
export const tracing = bootTracing('ingest', [], 'sync');
