import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startNatsCluster, type NatsClusterHandle } from './nats-cluster';
import { cleanupAll, registry } from './registry';
import { waitFor } from './wait-for';

jest.setTimeout(90_000);

let cluster: NatsClusterHandle;
let nc: NatsConnection | undefined;

beforeAll(async () => {
  cluster = await startNatsCluster(3, { name: 'spec' });
});

afterAll(async () => {
  if (nc && !nc.isClosed()) await nc.close();
  await cleanupAll();
  expect(registry.alive()).toEqual([]);
});

describe('startNatsCluster', () => {
  it('starts three nodes in one JetStream cluster with a meta leader', async () => {
    expect(cluster.nodes).toHaveLength(3);
    expect(cluster.urls).toEqual(cluster.nodes.map((n) => n.url));
    expect(new Set(cluster.nodes.flatMap((n) => [n.port, n.monitorPort, n.clusterPort])).size).toBe(9);
    const jsz = await Promise.all(cluster.nodes.map((n) => n.monitor<{ meta_cluster?: { name?: string; cluster_size?: number; leader?: string } }>('/jsz')));
    for (const j of jsz) expect(j.meta_cluster).toMatchObject({ name: 'spec', cluster_size: 3 });
    expect(cluster.nodes.map((n) => n.name)).toContain(jsz[0]?.meta_cluster?.leader);
    const conf = await readFile(path.join(path.dirname(cluster.nodes[0]?.storeDir ?? ''), 'nats.conf'), 'utf8');
    expect(conf).toContain('server_name: "spec-n1"');
  });

  it('keeps acking publishes to an R3 stream when one node is killed, and the node rejoins', async () => {
    nc = await connect({ servers: cluster.urls, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
    const js = jetstream(nc);
    expect(await js.publish('r3.a', '1', { msgID: 'm1' })).toMatchObject({ stream: 'R3', seq: 1 });

    // Kill the node holding the stream's leadership: the hardest case, forcing a stream leader election.
    const info = await jsm.streams.info('R3');
    const victim = cluster.nodes.find((n) => n.name === info.cluster?.leader);
    expect(victim).toBeDefined();
    if (!victim) return;
    await victim.kill9();

    // Publishes are retried only until the remaining two nodes elect a new stream leader.
    const acked: number[] = [];
    for (let i = 2; i <= 5; i++) {
      const ack = await publishUntilAcked(js, `r3.${i}`, String(i), `m${i}`);
      acked.push(ack.seq);
    }
    expect(acked).toEqual([2, 3, 4, 5]);
    const after = await jsm.streams.info('R3');
    expect(after.state.messages).toBe(5);
    expect(after.cluster?.leader).not.toBe(victim.name);

    await victim.restart();
    await cluster.waitReady();
    const rejoined = await waitForReplicaCurrent(jsm, 'R3', victim.name);
    expect(rejoined).toBe(true);
  });
});

async function publishUntilAcked(
  js: ReturnType<typeof jetstream>,
  subject: string,
  data: string,
  msgID: string,
): Promise<{ seq: number }> {
  // The same msgID on every try, so a publish that was stored but whose ack was lost is not stored twice.
  return waitFor(() => js.publish(subject, data, { msgID, timeout: 1000 }), { what: `ack for ${msgID}`, timeoutMs: 30_000, intervalMs: 100 });
}

async function waitForReplicaCurrent(jsm: Awaited<ReturnType<typeof jetstreamManager>>, stream: string, node: string): Promise<boolean> {
  return waitFor(
    async () => {
      const i = await jsm.streams.info(stream);
      const r = i.cluster?.replicas?.find((x) => x.name === node);
      return (i.cluster?.leader === node || r?.current === true) && i.state.messages === 5;
    },
    { what: `${node} to be a current replica of ${stream}`, timeoutMs: 30_000, intervalMs: 100 },
  );
}
