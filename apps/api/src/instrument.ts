import { bootTracing } from '@feed/tracing';

/**
 * main.ts imports this FIRST: the OpenTelemetry SDK must run before `http`, `express` or `ioredis` are loaded for
 * their instrumentations to apply. api registers only the instrumentations it uses: ['http', 'express', 'ioredis'].
 * The active context follows awaits (AsyncLocalStorage): the express handlers await Redis reads inside the HTTP span.
 */
export const tracing = bootTracing('api', ['http', 'express', 'ioredis'], 'async');
