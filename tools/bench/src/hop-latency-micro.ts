/**
 * One JetStream hop's latency on an otherwise idle machine: Feed's WindowedPublisher publishes (msg ids, file
 * storage, as the apps do) at a steady rate in 5 ms ticks (the simulator's tick), one pull consumer (`consume`,
 * explicit acks, as the consumer loop runs it) receives, all in one Node process against a scratch nats-server.
 * The pipeline makes this hop twice (RAW, MD) on the way to a WebSocket client, so twice this is the floor under
 * the benchmark's latency before any CPU contention.
 *
 *   node tools/build/run-ts.mjs tools/bench/src/hop-latency-micro.ts [--rate 2000] [--seconds 15]
 *
 * Prints p50/p90/p99/p99.9/max of publish -> delivery in ms (the first second is warm-up and not counted).
 */
import { connectNats, WindowedPublisher } from '@feed/messaging';
import { cleanupAll, startNats } from '@feed/testing';
import { AckPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { positiveArg } from './cli-arg';

const RATE = Math.floor(positiveArg('rate', 2_000));
const SECONDS = positiveArg('seconds', 15);
const TICK_MS = 5;

async function main(): Promise<void> {
  const nats = await startNats();
  const nc = await connectNats({ servers: [nats.url], name: 'hop-latency-micro', startupTimeoutMs: 5_000 });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'HOP', subjects: ['hop.>'], storage: StorageType.File, duplicate_window: 120e9 });
  await jsm.consumers.add('HOP', { durable_name: 'hop', ack_policy: AckPolicy.Explicit, ack_wait: 10e9 });
  const consumer = await jetstream(nc).consumers.get('HOP', 'hop');
  const iter = await consumer.consume({ max_messages: 1_000 });
  const pub = new WindowedPublisher(nc, { window: 1_000, timeoutMs: 10_000 });
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  // Publish time rides in the payload (performance.now(), same process), so the receive side needs no lookup.
  const latencies: number[] = [];
  const warmUntil = performance.now() + 1_000;
  const reading = (async () => {
    for await (const m of iter) {
      const sentAt = Number(dec.decode(m.data));
      if (sentAt >= warmUntil) latencies.push(performance.now() - sentAt);
      m.ack();
    }
  })();
  let id = 0;
  let carry = 0;
  const end = Date.now() + SECONDS * 1_000;
  while (Date.now() < end) {
    carry += (RATE * TICK_MS) / 1_000;
    const msgs = [];
    for (; carry >= 1; carry--) msgs.push({ subject: 'hop.x', data: enc.encode(String(performance.now())), msgId: String(id++) });
    await pub.sendAll(msgs);
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  await pub.idle();
  await new Promise((r) => setTimeout(r, 500));
  await iter.close();
  await reading;
  await nc.close();
  const s = latencies.sort((a, b) => a - b);
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? NaN).toFixed(2);
  console.log(`one JetStream hop at ${RATE}/s for ${SECONDS} s (${s.length} messages after warm-up): p50 ${q(50)} ms, p90 ${q(90)}, p99 ${q(99)}, p99.9 ${q(99.9)}, max ${q(100)}`);
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
