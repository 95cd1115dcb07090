import type { StreamStatusV1, TradeV1 } from '@feed/price-types';
import type { Redis } from 'ioredis';

/** What the harness drives: anything with the BatchApplier's apply(). */
export interface Applies {
  apply(batch: Array<{ ev: TradeV1 | StreamStatusV1; seq: number }>): Promise<unknown>;
}

export interface ApplyBenchResult {
  trades: number;
  batches: number;
  wallMs: number;
  tradesPerSec: number;
  /** redis-server CPU (user + sys) per trade, from INFO cpu: the script's own cost, less sensitive to load. */
  redisCpuUsPerTrade: number;
}

const VENUES = [
  ['binance', 0.6],
  ['okx', 0.2],
  ['bybit', 0.2],
] as const;

/**
 * A deterministic log of `n` BTC-USDT trades over three venues at `ratePerSec` trades per second of EVENT time
 * (receive time = venue time + 5 ms), with one heartbeat per stream per second, in log order.
 */
export function benchLog(n: number, ratePerSec: number, t0Us = 1_795_939_200_000_000): Array<TradeV1 | StreamStatusV1> {
  const out: Array<TradeV1 | StreamStatusV1> = [];
  const ids: Record<string, number> = {};
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  let lastSec = -1;
  for (let i = 0; i < n; i++) {
    const at = t0Us + Math.floor((i * 1e6) / ratePerSec);
    const sec = Math.floor(at / 1e6);
    if (sec !== lastSec) {
      lastSec = sec;
      for (const [venue] of VENUES) {
        out.push({ v: 1, type: 'status', id: `status:${venue}:BTC-USDT:hb-${sec}`, venue, symbol: 'BTC-USDT', source: 'live', recvTimeUs: sec * 1e6, channel: 'trade', kind: 'heartbeat', state: 'live', ingestId: 'bench', lastFrameUs: sec * 1e6 - 1, frames: i } as StreamStatusV1);
      }
    }
    const r = rand();
    const venue = (r < 0.6 ? 'binance' : r < 0.8 ? 'okx' : 'bybit') as TradeV1['venue'];
    ids[venue] = (ids[venue] ?? 4_000_000_000) + 1;
    const price = (60_000 + Math.floor(rand() * 100_000) / 100).toFixed(2).replace(/\.?0+$/, '');
    const size = (Math.floor(rand() * 1e8) / 1e8 + 0.00000001).toFixed(8).replace(/\.?0+$/, '');
    const tradeId = String(ids[venue]);
    out.push({ v: 1, type: 'trade', id: `trade:${venue}:BTC-USDT:${tradeId}`, venue, symbol: 'BTC-USDT', source: 'live', recvTimeUs: at + 5_000, tradeId, price, size, side: 'buy', venueTimeUs: at });
  }
  return out;
}

/**
 * The same log made hostile for differential checks of the apply script (same state whatever the batching): a
 * seeded shuffle within windows of 200 events, 2 % of trades received 10 s late (they revise closed bars), 1 %
 * received 2 h late (past finality: counted as late), and 5 % of events sent again up to 1,000 places later.
 */
export function hostileLog(log: Array<TradeV1 | StreamStatusV1>, seed = 99): Array<TradeV1 | StreamStatusV1> {
  let x = seed;
  const rand = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const out: Array<TradeV1 | StreamStatusV1> = log.map((e) => {
    if (e.type !== 'trade') return e;
    const r = rand();
    return r < 0.02 ? { ...e, recvTimeUs: e.recvTimeUs + 10_000_000 } : r < 0.03 ? { ...e, recvTimeUs: e.recvTimeUs + 7_200_000_000 } : e;
  });
  for (let i = 0; i < out.length; i += 200) {
    for (let j = Math.min(out.length, i + 200) - 1; j > i; j--) {
      const k = i + Math.floor(rand() * (j - i + 1));
      [out[j], out[k]] = [out[k] as TradeV1 | StreamStatusV1, out[j] as TradeV1 | StreamStatusV1];
    }
  }
  const copies: Array<TradeV1 | StreamStatusV1> = [];
  for (let i = 0; i < out.length; i++) {
    copies.push(out[i] as TradeV1 | StreamStatusV1);
    // A resend of an event up to 1,000 places back (a redelivery or a venue resend).
    if (rand() < 0.05) copies.push(out[Math.max(0, i - Math.floor(rand() * 1000))] as TradeV1 | StreamStatusV1);
  }
  return copies;
}

async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return (get('used_cpu_sys') + get('used_cpu_user')) * 1e6;
}

/** Applies the log in batches of `batch` events, one call at a time (as one persister does), and measures. */
export async function runApplyBench(redis: Redis, applier: Applies, log: Array<TradeV1 | StreamStatusV1>, batch: number): Promise<ApplyBenchResult> {
  const trades = log.filter((e) => e.type === 'trade').length;
  const cpu0 = await redisCpuUs(redis);
  const t0 = performance.now();
  let batches = 0;
  for (let i = 0; i < log.length; i += batch) {
    await applier.apply(log.slice(i, i + batch).map((ev, j) => ({ ev, seq: i + j + 1 })));
    batches++;
  }
  const wallMs = performance.now() - t0;
  const cpu1 = await redisCpuUs(redis);
  return { trades, batches, wallMs, tradesPerSec: trades / (wallMs / 1000), redisCpuUsPerTrade: (cpu1 - cpu0) / trades };
}
