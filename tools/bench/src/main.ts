/**
 * `npm run bench`: the whole pipeline on this machine at rising trade rates (docs/benchmarks.md).
 * For each rate the simulator sends for STEP_S seconds and pauses; the step passes ("sustained") when every trade
 * reached a WebSocket client, Redis holds them all, and the pipeline drained within DRAIN_S. Printed per step:
 * achieved rate, loss, p50/p99/max latency from the simulator's send time (its trade time, same clock) to the
 * WebSocket client's receive, that latency's p99 split at ingest's receive stamp, CPU % of each process, and at
 * the end each process's peak RSS and one Node publisher's raw JetStream publish rate as the ceiling. Loopback
 * only, bounded in count and time.
 *
 * Env: BENCH_RATES (default 1000,2000,5000,10000,15000), BENCH_STEP_S (10), BENCH_DRAIN_S (5),
 *      BENCH_REPLICAS (1: one of each app; 2: two normalizers and two persisters), BENCH_APP_ENV (JSON of app settings),
 *      BENCH_VENUES (binance, or all: the six venues at a realistic peak mix, trades and quotes; see market-mix.ts),
 *      BENCH_TRACING (off: the SDK disabled, the default; or a sampling ratio such as 0.01: every app runs the
 *      OpenTelemetry SDK with that parent-based ratio, exporting OTLP/HTTP to a sink in this process),
 *      BENCH_CPU_PROF_DIR (every app writes a V8 CPU profile there when the run ends; profiling slows the apps),
 *      BENCH_NODE_ARGS (extra node arguments for every app, space-separated: V8 flags NODE_OPTIONS refuses).
 */
import { FeedStack, WsClient } from '@feed/feed-stack';
import { waitFor, type AppProcess } from '@feed/testing';
import { connect } from '@nats-io/transport-node';
import { measurePublishCeiling } from './js-ceiling';
import { OtlpSink } from './otlp-sink';
import { ingestEnv, marketMix, sentTotal, setRates, simArgs } from './market-mix';
import { cpuSeconds, peakRssMiB, percentile } from './proc-stats';

const env = process.env;
const RATES = (env['BENCH_RATES'] ?? '1000,2000,5000,10000,15000').split(',').map(Number);
const STEP_S = Number(env['BENCH_STEP_S'] ?? 10);
const DRAIN_S = Number(env['BENCH_DRAIN_S'] ?? 5);
const REPLICAS = Number(env['BENCH_REPLICAS'] ?? 1);
const MIX = marketMix(env['BENCH_VENUES'] ?? 'binance');
const TRACING = env['BENCH_TRACING'] ?? 'off';
if (TRACING !== 'off' && !(Number(TRACING) > 0 && Number(TRACING) <= 1)) throw new Error(`BENCH_TRACING=${TRACING}: expected off or a ratio in (0, 1]`);

/** App settings for tracing on: the SDK on, parent-based ratio sampling, OTLP/HTTP to the sink. */
function tracingEnv(sink: OtlpSink | undefined): Record<string, string> {
  if (!sink) return {};
  return { OTEL_SDK_DISABLED: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: TRACING };
}

interface Row {
  offered: number;
  sent: number;
  received: number;
  inRedis: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  /** Latency split at ingest's receive stamp (ms): simulator -> ingest and ingest -> WebSocket client, p50 and p99. */
  split: { toIngestP50: number; toIngestP99: number; fromIngestP50: number; fromIngestP99: number };
  drainMs: number;
  cpu: Record<string, number>;
  lag: Record<string, number>;
  ok: boolean;
}

async function main(): Promise<void> {
  // BENCH_APP_ENV='{"NORMALIZER_BATCH":"1000"}' passes settings to every app, for tuning experiments.
  const sink = TRACING === 'off' ? undefined : await OtlpSink.start();
  // The production default for the recent-trades bound (the test harness raises it so tests can read every trade;
  // the benchmark counts from the persisters' exact counters instead, and a 100k-member sorted set costs Redis more).
  const stack = await FeedStack.start({ sim: { rate: 0, args: simArgs(MIX) }, env: { RECENT_TRADES_MAX: '1000', ...tracingEnv(sink), ...(JSON.parse(env['BENCH_APP_ENV'] ?? '{}') as Record<string, string>) }, ...(env['BENCH_CPU_PROF_DIR'] ? { cpuProfileDir: env['BENCH_CPU_PROF_DIR'] } : {}), ...(env['BENCH_NODE_ARGS'] ? { nodeArgs: env['BENCH_NODE_ARGS'].split(' ') } : {}) });
  const procs: Array<{ name: string; pid: number }> = [
    { name: 'nats-server', pid: stack.nats.pid },
    { name: 'redis-server', pid: stack.redisServer.pid },
    { name: 'venue-sim', pid: stack.sim.pid },
  ];
  const add = (name: string, app: AppProcess) => procs.push({ name, pid: app.pid });
  try {
    for (let i = 0; i < REPLICAS; i++) add(`persister${REPLICAS > 1 ? i + 1 : ''}`, await stack.startApp('persister'));
    for (let i = 0; i < REPLICAS; i++) add(`normalizer${REPLICAS > 1 ? i + 1 : ''}`, await stack.startApp('normalizer'));
    add('api', await stack.startApp('api'));
    const ws = await WsClient.connect(`${stack.apiUrl.replace('http', 'ws')}/v1/stream`);
    const recvAt: number[] = [];
    // Receive time of every trade item, by arrival order; latency = receive - simulator send time.
    const latencies: number[] = [];
    // The same latency split at ingest's receive stamp: simulator -> ingest (the venue's socket and ingest's read),
    // and ingest -> client (the log, the normalizer, the api, the client's socket).
    const toIngest: number[] = [];
    const fromIngest: number[] = [];
    ws.onTrades = (items, now) => {
      for (const it of items) {
        recvAt.push(now);
        const recvMs = Number(it['recvTimeUs']) / 1000;
        latencies.push(now - Number(it['venueTimeUs']) / 1000);
        toIngest.push(recvMs - Number(it['venueTimeUs']) / 1000);
        fromIngest.push(now - recvMs);
      }
    };
    const symbols = [...new Set(MIX.map((m) => m.symbol))];
    for (const symbol of symbols) ws.send({ op: 'subscribe', channel: 'trades', symbol });
    await waitFor(() => ws.frames.filter((f) => f.type === 'subscribed').length === symbols.length, { what: 'subscribed' });
    add('ingest', await stack.startApp('ingest', ingestEnv(MIX, stack.simUrl)));
    await stack.simClient.control('pause');

    // Warm-up (JIT, connections, consumer creation), not reported.
    await setRates(stack.simClient, MIX, 1000);
    await stack.simClient.control('resume');
    await new Promise((r) => setTimeout(r, 3_000));
    await stack.simClient.control('pause');
    const warm = await sentTotal(stack.simClient, MIX);
    await waitFor(() => ws.trades.length >= warm, { what: 'warm-up drained', timeoutMs: 30_000 });

    const rows: Row[] = [];
    for (const rate of RATES) {
      const sentBefore = await sentTotal(stack.simClient, MIX);
      const recvBefore = ws.trades.length;
      const latBefore = latencies.length;
      const cpu0 = procs.map((p) => cpuSeconds(p.pid));
      const self0 = process.cpuUsage();
      const t0 = Date.now();
      await setRates(stack.simClient, MIX, rate);
      await stack.simClient.control('resume');
      await new Promise((r) => setTimeout(r, STEP_S * 1000));
      await stack.simClient.control('pause');
      const tPause = Date.now();
      // Where the backlog sits at the end of the step: ingest's queue, RAW not yet normalized, MD not yet persisted.
      const lag = {
        ingestQueued: ((await (await fetch(stack.url(stack.apps.ingest[0] as AppProcess, '/health'))).json()) as { details?: { queued?: number } }).details?.queued ?? -1,
        rawPending: (await stack.jsm.consumers.info('FEED_RAW', 'feed_normalizer_main')).num_pending,
        mdPending: (await stack.jsm.consumers.info('FEED_MD', 'feed_persister_primary')).num_pending,
      };
      const sent = (await sentTotal(stack.simClient, MIX)) - sentBefore;
      let drained = true;
      await waitFor(() => ws.trades.length - recvBefore >= sent, { what: 'drain', timeoutMs: DRAIN_S * 1000, intervalMs: 20 }).catch(() => {
        drained = false;
      });
      const total = await sentTotal(stack.simClient, MIX);
      // Trades applied to Redis, from the persisters' own exact counters (the recent-trades set is bounded).
      const applied = async () => {
        let n = 0;
        for (const p of stack.apps.persister) n += await stack.counter(p, 'feed_persister_events_total', { type: 'trade', outcome: 'applied' });
        return n;
      };
      await waitFor(async () => (await applied()) >= total, { what: 'redis drain', timeoutMs: DRAIN_S * 1000, intervalMs: 50 }).catch(() => {
        drained = false;
      });
      const tEnd = Math.max(tPause, recvAt[recvAt.length - 1] ?? tPause);
      const cpu1 = procs.map((p) => cpuSeconds(p.pid));
      const self = process.cpuUsage(self0);
      const received = ws.trades.length - recvBefore;
      const inRedis = await applied();
      const lat = latencies.slice(latBefore).sort((a, b) => a - b);
      const inLat = toIngest.slice(latBefore).sort((a, b) => a - b);
      const outLat = fromIngest.slice(latBefore).sort((a, b) => a - b);
      const wall = (tEnd - t0) / 1000;
      const row: Row = {
        offered: rate,
        sent,
        received,
        inRedis,
        achieved: Math.round(received / ((tEnd - t0) / 1000)),
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
        max: lat[lat.length - 1] ?? NaN,
        split: { toIngestP50: percentile(inLat, 50), toIngestP99: percentile(inLat, 99), fromIngestP50: percentile(outLat, 50), fromIngestP99: percentile(outLat, 99) },
        drainMs: tEnd - tPause,
        lag,
        cpu: {
          ...Object.fromEntries(procs.map((p, i) => [p.name, Math.round((100 * ((cpu1[i] as number) - (cpu0[i] as number))) / wall)])),
          // The measuring WebSocket client shares the machine too.
          'bench client': Math.round((self.user + self.system) / 1e4 / wall),
        },
        ok: drained && received === sent && inRedis === total,
      };
      rows.push(row);
      console.log(JSON.stringify({ step: row }));
      if (!row.ok) break;
    }
    const nc = await connect({ servers: stack.nats.url, noAsyncTraces: true });
    const ceiling = await measurePublishCeiling(nc, 50_000);
    await nc.drain();
    // Where redis-server's CPU went (the apply scripts dominate; a regression in a projection shows here first).
    const redisTop = parseCommandStats(await stack.redis.info('commandstats')).slice(0, 5);
    const rss = Object.fromEntries(procs.map((p) => [p.name, Math.round(peakRssMiB(p.pid))]));

    const names = [...procs.map((p) => p.name), 'bench client'];
    console.log(`\nFeed pipeline benchmark: ${STEP_S}s steps, venues ${MIX.map((m) => `${m.venue} ${Math.round(m.share * 100)}%`).join(', ')}${MIX.length > 1 ? ' (+ quotes at 2x each venue\'s trade rate)' : ''}, ${REPLICAS} replica(s) of normalizer/persister, everything on this machine\n`);
    console.log(`| offered/s | sent | received | achieved/s | loss | p50 ms | p99 ms | max ms | p99 sim->ingest ms | p99 ingest->client ms | drain ms | ok | ${names.map((n) => `${n} CPU%`).join(' | ')} |`);
    console.log(`|${'---|'.repeat(12 + names.length)}`);
    for (const r of rows) {
      console.log(
        `| ${r.offered} | ${r.sent} | ${r.received} | ${r.achieved} | ${r.sent - r.received} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(0)} | ${r.split.toIngestP99.toFixed(1)} | ${r.split.fromIngestP99.toFixed(1)} | ${r.drainMs} | ${r.ok ? 'yes' : 'NO'} | ${names.map((n) => r.cpu[n]).join(' | ')} |`,
      );
    }
    const best = rows.filter((r) => r.ok).reduce((m, r) => Math.max(m, r.achieved), 0);
    console.log(`\nsustained with zero loss: ${best} trades/s`);
    console.log(`peak RSS MiB: ${Object.entries(rss).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`ceiling: one Node publisher, JetStream publish with msg ids, window 1000: ${Math.round(ceiling)} msgs/s`);
    console.log(`redis-server time by command: ${redisTop.map((c) => `${c.cmd} ${c.calls} calls ${Math.round(c.usec / 1000)} ms (${c.perCall.toFixed(0)} µs/call)`).join(', ')}`);
    console.log(sink ? `tracing: on, ratio ${TRACING}; the sink received ${sink.spans} spans in ${sink.requests} requests (${sink.bytes} bytes, ${sink.badBodies} unparsable)` : 'tracing: off (OTEL_SDK_DISABLED=true)');
    ws.close();
  } finally {
    await stack.stop();
    await sink?.stop();
  }
}

/** `INFO commandstats` -> commands by total time, largest first. */
function parseCommandStats(info: string): Array<{ cmd: string; calls: number; usec: number; perCall: number }> {
  const out: Array<{ cmd: string; calls: number; usec: number; perCall: number }> = [];
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/gm)) {
    out.push({ cmd: m[1] as string, calls: Number(m[2]), usec: Number(m[3]), perCall: Number(m[4]) });
  }
  return out.sort((a, b) => b.usec - a.usec);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
