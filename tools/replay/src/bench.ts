/**
 * Replay speed (docs/benchmarks.md): a real nats-server and redis-server on loopback, BENCH_REPLAY_EVENTS trades
 * (spread over six venues and two symbols, as the live mix) published to MD with msg ids, then the compiled replay
 * tool rebuilds a scratch Redis, once per REPLAY_BATCH x REPLAY_IN_FLIGHT setting. Prints one JSON line per run.
 *
 *   node tools/build/esbuild.mjs tools/replay/src/main.ts dist/tools/replay/main.js
 *   node tools/build/esbuild.mjs tools/replay/src/bench.ts dist/tools/replay/bench.js && node dist/tools/replay/bench.js
 *
 * Env: BENCH_REPLAY_EVENTS (default 100000), BENCH_REPLAY_SETTINGS (default "1000x1,1000x4,2000x4": batch x in-flight),
 *      BENCH_REPLAY_CPU_PROF_DIR (the replay writes a V8 CPU profile per run there; profiling slows it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { applyStreams, DEFAULT_STREAM_SETTINGS, WindowedPublisher } from '@feed/messaging';
import type { TradeV1 } from '@feed/price-types';
import { cleanupAll, spawnApp, startNats, startRedis } from '@feed/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function procCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function redisCpuS(port: number): Promise<number> {
  const c = new Redis({ port, lazyConnect: true });
  await c.connect();
  const info = await c.info('cpu');
  await c.quit();
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
}

const EVENTS = Number(process.env['BENCH_REPLAY_EVENTS'] ?? 100_000);
const SETTINGS = (process.env['BENCH_REPLAY_SETTINGS'] ?? '1000x1,1000x4,2000x4').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const VENUES = ['binance', 'coinbase', 'kraken', 'okx', 'bybit', 'bitstamp'] as const;
const ROOT = path.resolve(__dirname, '../../..');

/** Decimal text without trailing fraction zeros (decision 3): anything else is refused as poison by the replay. */
function canonical(d: string): string {
  return d.replace(/0+$/, '').replace(/\.$/, '');
}

function trade(i: number): TradeV1 {
  const venue = VENUES[i % VENUES.length] as (typeof VENUES)[number];
  const symbol = i % 3 === 0 ? 'BTC-USD' : 'BTC-USDT';
  const tradeId = String(10_000_000 + i);
  const t = 1_790_000_000_000_000 + i * 100;
  return { v: 1, type: 'trade', id: `trade:${venue}:${symbol}:${tradeId}`, venue, symbol, source: 'simulated', recvTimeUs: t + 500, tradeId, price: canonical(`${60_000 + (i % 5_000)}.${String(i % 100).padStart(2, '0')}`), size: `0.0${1 + (i % 9)}`, side: i % 2 ? 'buy' : 'sell', venueTimeUs: t };
}

async function main(): Promise<void> {
  const nats = await startNats();
  const nc = await connect({ servers: nats.url });
  await applyStreams(nc, await jetstreamManager(nc), { ...DEFAULT_STREAM_SETTINGS, prefix: 'feed', mdMaxBytes: 1024 ** 3 });
  const pub = new WindowedPublisher(nc, { window: 1_000, timeoutMs: 30_000 });
  const t0 = Date.now();
  for (let i = 0; i < EVENTS; i += 1_000) {
    const msgs = [];
    for (let j = i; j < Math.min(EVENTS, i + 1_000); j++) {
      const ev = trade(j);
      msgs.push({ subject: `feed.md.v1.trade.${ev.symbol}.${ev.venue}`, data: JSON.stringify(ev), msgID: ev.id });
    }
    await pub.sendAll(msgs);
  }
  await pub.idle();
  console.log(JSON.stringify({ msg: 'published', events: EVENTS, ms: Date.now() - t0 }));
  for (const [batch, inFlight] of SETTINGS) {
    const redis = await startRedis();
    const [nats0, redis0] = [procCpuS(nats.pid), await redisCpuS(redis.port)];
    const profDir = process.env['BENCH_REPLAY_CPU_PROF_DIR'];
    const nodeArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=replay-${batch}x${inFlight}.cpuprofile`] : [];
    const app = spawnApp({ name: 'replay', script: path.join(ROOT, 'dist/tools/replay/main.js'), nodeArgs, args: ['rebuild'], env: { NATS_URL: nats.url, REDIS_PORT: String(redis.port), REPLAY_BATCH: String(batch), REPLAY_IN_FLIGHT: String(inFlight), LEGACY_ALLOW_SIMULATED: 'true' } });
    const exit = await app.exited;
    const done = app.json().find((l) => l['msg'] === 'replay complete');
    const cpu = { replayS: Number(done?.['cpuMs'] ?? 0) / 1000, redisS: Math.round(((await redisCpuS(redis.port)) - redis0) * 100) / 100, natsS: Math.round((procCpuS(nats.pid) - nats0) * 100) / 100 };
    console.log(JSON.stringify({ batch, inFlight, exit: exit.code, events: done?.['events'], applied: done?.['applied'], poison: done?.['poison'], ms: done?.['ms'], eventsPerSecond: done?.['eventsPerSecond'], cpu }));
    // The bench's own events are valid: poison here means the generator broke, and the figures would flatter.
    if (done?.['poison'] !== 0 || done?.['applied'] !== EVENTS) throw new Error(`replay applied ${String(done?.['applied'])} of ${EVENTS} (poison ${String(done?.['poison'])})`);
    await redis.dispose();
  }
  await nc.drain();
  await cleanupAll();
}

main().catch(async (e: unknown) => {
  console.error(e);
  await cleanupAll();
  process.exit(1);
});
