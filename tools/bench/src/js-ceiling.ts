import { WindowedPublisher } from '@feed/messaging';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * The ceiling: how fast ONE Node publisher gets JetStream PubAcks on this machine, with msg ids and a window of
 * 1,000 in flight (the same WindowedPublisher the apps use), into a scratch stream on the same server.
 */
export async function measurePublishCeiling(nc: NatsConnection, n: number): Promise<number> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'BENCH_CEILING', subjects: ['bench.ceiling.>'], max_bytes: 256 * 1024 * 1024 });
  const pub = new WindowedPublisher(nc, { window: 1_000, timeoutMs: 10_000 });
  const payload = new TextEncoder().encode(JSON.stringify({ e: 'trade', E: 1795939333010, s: 'BTCUSDT', t: 5000000000, p: '67234.01000000', q: '0.00120000', T: 1795939333010, m: true, M: true }));
  const t0 = performance.now();
  const acks = [];
  for (let i = 0; i < n; i++) acks.push((await pub.start('bench.ceiling.x', payload, { msgId: `c-${i}` })).ack);
  await Promise.all(acks);
  const rate = n / ((performance.now() - t0) / 1000);
  await jsm.streams.delete('BENCH_CEILING');
  return rate;
}
