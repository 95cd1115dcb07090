import type { SimClient } from '@feed/feed-stack';

/**
 * The venues a benchmark run drives. `binance` alone is the spine's benchmark; `all` is the six venues at a
 * realistic peak mix (shares of BTC spot trade prints across these venues, rounded; quotes at twice the trade
 * rate of each venue), each on its own simulated protocol, trades and best bid/ask both ingested.
 */
export interface MixEntry {
  venue: string;
  /** Venue-native symbol in the simulator. */
  native: string;
  /** Canonical symbol in Feed. */
  symbol: string;
  share: number;
}

const ALL: MixEntry[] = [
  { venue: 'binance', native: 'BTCUSDT', symbol: 'BTC-USDT', share: 0.4 },
  { venue: 'okx', native: 'BTC-USDT', symbol: 'BTC-USDT', share: 0.15 },
  { venue: 'bybit', native: 'BTCUSDT', symbol: 'BTC-USDT', share: 0.15 },
  { venue: 'coinbase', native: 'BTC-USD', symbol: 'BTC-USD', share: 0.15 },
  { venue: 'kraken', native: 'BTC/USD', symbol: 'BTC-USD', share: 0.08 },
  { venue: 'bitstamp', native: 'btcusd', symbol: 'BTC-USD', share: 0.07 },
];

export function marketMix(mode: string): MixEntry[] {
  if (mode === 'all') return ALL;
  if (mode === 'binance') return [{ venue: 'binance', native: 'BTCUSDT', symbol: 'BTC-USDT', share: 1 }];
  throw new Error(`BENCH_VENUES must be binance or all, got ${mode}`);
}

/** Simulator arguments serving the mix. */
export function simArgs(mix: MixEntry[]): string[] {
  if (mix.length === 1) return [];
  return ['--venues', mix.map((m) => m.venue).join(','), '--venue-symbols', mix.map((m) => `${m.venue}=${m.native}`).join(',')];
}

/** Ingest settings for the mix, pointing every venue at the simulator. */
export function ingestEnv(mix: MixEntry[], simUrl: string): Record<string, string> {
  if (mix.length === 1) return {};
  const env: Record<string, string> = { INGEST_VENUES: mix.map((m) => m.venue).join(',') };
  for (const m of mix) {
    const V = m.venue.toUpperCase();
    env[`${V}_URL`] = `${simUrl}/${m.venue}`;
    env[`${V}_SYMBOLS`] = m.symbol;
    env[`${V}_CHANNELS`] = 'trade,quote';
  }
  return env;
}

/** Sets each venue's trade rate to its share of `total`, and its quote rate to twice that. */
export async function setRates(sim: SimClient, mix: MixEntry[], total: number): Promise<void> {
  for (const m of mix) {
    const rate = Math.round(total * m.share);
    await sim.control('rate', mix.length === 1 ? { rate } : { rate, symbol: m.native, venue: m.venue });
    if (mix.length > 1) await sim.control('quoteRate', { rate: 2 * rate, symbol: m.native, venue: m.venue });
  }
}

/** Trades the simulator has sent across the mix. */
export async function sentTotal(sim: SimClient, mix: MixEntry[]): Promise<number> {
  let n = 0;
  for (const m of mix) n += await sim.count(m.native, mix.length === 1 ? undefined : m.venue);
  return n;
}
