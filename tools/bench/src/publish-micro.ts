/**
 * JetStream publish micro-benchmark: nats.js `js.publish()` (one request per message) against Feed's
 * WindowedPublisher (core publishes answered on one inbox subscription, PubAckInbox), one Node process, a
 * scratch nats-server started on a free port, a window of 1,000 in flight, msg ids and one extra header as the
 * apps send them.
 *
 *   node tools/build/run-ts.mjs tools/bench/src/publish-micro.ts [--n 100000] [--rounds 2]
 *
 * Prints publishes/s and this process's CPU per publish (user + system) for each, alternated over the rounds.
 */
import { connectNats, Hdr, newHeaders, WindowedPublisher } from '@feed/messaging';
import { cleanupAll, startNats } from '@feed/testing';
import { jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { positiveArg } from './cli-arg';

const N = Math.floor(positiveArg('n', 100_000));
const ROUNDS = Math.floor(positiveArg('rounds', 2));
const WINDOW = 1_000;

async function main(): Promise<void> {
  const nats = await startNats();
  const nc = await connectNats({ servers: [nats.url], name: 'publish-micro', startupTimeoutMs: 5_000 });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const data = new TextEncoder().encode(JSON.stringify({ v: 1, type: 'trade', id: 'trade:binance:BTC-USDT:5000000000', venue: 'binance', symbol: 'BTC-USDT', price: '67234.01', size: '0.0012', side: 'buy', venueTimeUs: 1795939333010000, recvTimeUs: 1795939333011000, source: 'simulated' }));
  const headers = () => {
    const h = newHeaders();
    h.set(Hdr.source, 'simulated');
    return h;
  };

  /** js.publish with at most WINDOW awaiting their PubAck, sent without an await in between while a slot is free. */
  const viaRequest = async (tag: string): Promise<void> => {
    let i = 0;
    let inFlight = 0;
    await new Promise<void>((done, fail) => {
      let acked = 0;
      const pump = (): void => {
        while (inFlight < WINDOW && i < N) {
          inFlight++;
          const id = `${tag}-${i++}`;
          js.publish('micro.x', data, { msgID: id, headers: headers(), timeout: 10_000 }).then((): void => {
            inFlight--;
            if (++acked === N) done();
            else pump();
          }, fail);
        }
      };
      pump();
    });
  };
  const viaInbox = async (tag: string): Promise<void> => {
    const pub = new WindowedPublisher(nc, { window: WINDOW, timeoutMs: 10_000 });
    const acks: Array<Promise<PubAck>> = [];
    for (let i = 0; i < N; i++) acks.push(pub.trySend('micro.x', data, { msgId: `${tag}-${i}`, headers: headers() }) ?? (await pub.start('micro.x', data, { msgId: `${tag}-${i}`, headers: headers() })).ack);
    await Promise.all(acks);
  };

  const rows: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of [
      ['js.publish() (a request each)', viaRequest],
      ['WindowedPublisher (PubAckInbox)', viaInbox],
    ] as const) {
      await jsm.streams.add({ name: 'MICRO', subjects: ['micro.>'] });
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await run(`r${r}`);
      const s = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      rows.push(`| ${name} | ${r + 1} | ${Math.round(N / s).toLocaleString('en-US')} | ${((cpu.user + cpu.system) / N).toFixed(1)} |`);
      await jsm.streams.delete('MICRO');
    }
  }
  console.log(`\nJetStream publishes, window ${WINDOW}, ${N.toLocaleString('en-US')} per run, one Node process\n`);
  console.log('| publisher | round | publishes/s | client CPU µs per publish |\n|---|---:|---:|---:|');
  for (const row of rows) console.log(row);
  await nc.close();
  await cleanupAll();
}

main().catch(async (e: unknown) => {
  console.error(e);
  await cleanupAll();
  process.exit(1);
});
