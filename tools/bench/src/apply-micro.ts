/**
 * Apply-script micro-benchmark: the persister's Redis side alone (libs/projections BatchApplier against a real
 * redis-server), for the cost of the candle aggregation. No NATS, no other app.
 *
 *   node tools/build/run-ts.mjs tools/bench/src/apply-micro.ts [--trades N] [--runs R] [--batch B] [--rate R] [--no-legacy] [--hostile] [--digest] [--projections]
 *
 * Applies a deterministic log (three venues of BTC-USDT at 10,000 trades/s of event time, one heartbeat per stream
 * per second) in batches of B (default 500; the live persister's batches are small at low rates) into a fresh database per run, and reports the median trades/s, redis-server CPU
 * per trade, and the memory of the candle keys (MEMORY USAGE summed over every candle key).
 * --projections also runs the script projections the persister runs (index, completeness), in one MULTI/EXEC.
 * --hostile shuffles the log, makes some trades late and resends some (hostileLog); --digest prints a sha256 of the
 * registry-wide state dump after the last run: a change to the apply script must give the same digest for every
 * --batch (and the same as before the change), which is how script optimisations are checked.
 */
import { createHash } from 'node:crypto';
import { dumpState, keyFamilies, Keys } from '@feed/keys';
import { ConfigReader } from '@feed/config';
import { BatchApplier, DEFAULT_CANDLE_SETTINGS, readProjectionSettings, scriptProjections } from '@feed/projections';
import { cleanupAll, startRedis } from '@feed/testing';
import { Redis } from 'ioredis';
import { benchLog, hostileLog, runApplyBench, type ApplyBenchResult } from './apply-harness';
import { positiveArg } from './cli-arg';

async function main(): Promise<void> {
  const n = positiveArg('trades', 50_000);
  const runs = positiveArg('runs', 3);
  const batch = positiveArg('batch', 500);
  const server = await startRedis();
  const redis = new Redis({ host: '127.0.0.1', port: server.port });
  try {
    const plain = benchLog(n, positiveArg('rate', 10_000));
    const log = process.argv.includes('--hostile') ? hostileLog(plain) : plain;
    const results: ApplyBenchResult[] = [];
    for (let r = 0; r < runs; r++) {
      await redis.flushall();
      const applier = new BatchApplier(redis, {
        keys: new Keys('bench:'),
        group: 'bench',
        recentTradesMax: 1000,
        dedupeTtlSeconds: 8 * 86_400,
        publish: false,
        legacy: { enabled: !process.argv.includes('--no-legacy'), venue: 'binance', symbol: 'BTC-USDT', defaultVenue: 'binance', allowSimulated: false },
        candles: DEFAULT_CANDLE_SETTINGS,
      }, process.argv.includes('--projections') ? scriptProjections(readProjectionSettings(new ConfigReader({}), new Keys('bench:'))) : []);
      results.push(await runApplyBench(redis, applier, log, batch));
    }
    const digest = process.argv.includes('--digest') ? createHash('sha256').update(JSON.stringify(await dumpState(redis, keyFamilies('bench:')))).digest('hex').slice(0, 16) : undefined;
    results.sort((a, b) => a.tradesPerSec - b.tradesPerSec);
    const med = results[Math.floor(results.length / 2)] as ApplyBenchResult;
    let bars = 0;
    let barBytes = 0;
    let idxBytes = 0;
    let members = 0;
    for (const k of await redis.keys('bench:candle:*')) {
      bars++;
      barBytes += Number(await redis.memory('USAGE', k));
    }
    for (const k of await redis.keys('bench:candles:*')) {
      idxBytes += Number(await redis.memory('USAGE', k));
      members += await redis.zcard(k);
    }
    process.stdout.write(
      `${JSON.stringify({
        trades: med.trades,
        batch,
        runs,
        tradesPerSec: results.map((x) => Math.round(x.tradesPerSec)),
        medianTradesPerSec: Math.round(med.tradesPerSec),
        redisCpuUsPerTrade: Number(med.redisCpuUsPerTrade.toFixed(1)),
        candleBars: bars,
        bytesPerBar: bars ? Math.round(barBytes / bars) : 0,
        bytesPerIndexMember: members ? Math.round(idxBytes / members) : 0,
        ...(digest ? { digest } : {}),
      })}\n`,
    );
  } finally {
    redis.disconnect();
    await cleanupAll();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
