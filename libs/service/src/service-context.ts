import { createLogger, type Logger } from '@feed/logging';
import { createRegistry, type Registry } from '@feed/metrics';
import { EventLoopMonitor, Health } from './health';

export interface ServiceContext {
  log: Logger;
  registry: Registry;
  /** Liveness already includes event-loop responsiveness; apps add their loops and dependencies. */
  health: Health;
}

/** The logger, metrics registry and health model every app starts with. */
export function createServiceContext(service: string, common: { instanceId: string; logLevel: string }): ServiceContext {
  const log = createLogger({ service, instanceId: common.instanceId, level: common.logLevel });
  const registry = createRegistry(service, common.instanceId);
  const health = new Health();
  const loop = new EventLoopMonitor();
  health.addLiveness('event_loop', () => loop.responsive());
  return { log, registry, health };
}
