import type { NatsConfig } from '@feed/config';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, trackConnection } from './connect';
import { verifyStreams } from './setup';

export interface OpenJetStream {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** For /ready: the connection is up right now. */
  connected: () => boolean;
}

/**
 * What every app does first with NATS: connect within the startup deadline (else exit non-zero, decision 9),
 * and refuse to run unless the streams it needs exist (apps never create the log; the setup tool does).
 */
export async function openJetStream(nats: NatsConfig, startupTimeoutMs: number, requiredStreams: string[]): Promise<OpenJetStream> {
  const nc = await connectNats({ ...nats, startupTimeoutMs });
  const jsm = await jetstreamManager(nc);
  await verifyStreams(jsm, requiredStreams);
  const state = trackConnection(nc);
  return { nc, js: jetstream(nc), jsm, connected: () => state.connected() };
}
