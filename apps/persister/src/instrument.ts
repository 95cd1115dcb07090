import { bootTracing } from '@feed/tracing';

/**
 * main.ts imports this FIRST: the OpenTelemetry SDK must run before `http`, `express` or `ioredis` are loaded for
 * their instrumentations to apply. persister registers only the instrumentations it uses: ['ioredis'].
 * No async context propagation ('sync', see SyncContextManager): the batch's Redis call is issued synchronously
 * inside the batch span's context.
 */
export const tracing = bootTracing('persister', ['ioredis'], 'sync');
