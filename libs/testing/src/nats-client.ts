import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNats, type NatsServerHandle } from './nats-server';
import { registry } from './registry';

export interface NatsWithClient {
  nats: NatsServerHandle;
  nc: NatsConnection;
  jsm: JetStreamManager;
}

/**
 * A scratch nats-server (startNats) with one plain client connection and its JetStream manager, the set-up most
 * messaging specs start from. The connection is tracked after the server, so `cleanupAll()` closes it first, then
 * stops the server.
 */
export async function startNatsWithClient(): Promise<NatsWithClient> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  registry.track({ name: `client of ${nats.name}`, dispose: async () => void (nc.isClosed() ? undefined : await nc.close()) });
  return { nats, nc, jsm: await jetstreamManager(nc) };
}
