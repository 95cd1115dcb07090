import { trace, type Tracer } from '@opentelemetry/api';

/** Messaging semantic-convention attribute names (OpenTelemetry messaging spans). */
export const MessagingAttr = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operation: 'messaging.operation.type',
  batchCount: 'messaging.batch.message_count',
  messageId: 'messaging.message.id',
  consumerGroup: 'messaging.consumer.group.name',
} as const;

export const NATS_SYSTEM = 'nats';

/** Tracer for a module; a no-op until the SDK is started (observability issue), so it is safe everywhere. */
export function getTracer(name: string): Tracer {
  return trace.getTracer(`feed.${name}`);
}
