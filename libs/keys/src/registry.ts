/**
 * The one registry of Redis key families (brief, decision 13). Every key Feed writes belongs to exactly one
 * family here; the persister builds keys only through `Keys`, the api reads through it, and state dumps (replay
 * checks, failover checks) cover every family and FAIL on any key that matches none.
 *
 * Bounds (decision 10: Redis runs `noeviction`, so every family states its bound):
 */
export type RedisType = 'string' | 'hash' | 'list' | 'zset' | 'set';

export interface KeyFamily {
  name: string;
  /** Glob for SCAN, with the key prefix applied (`{p}` = Feed prefix). */
  pattern: string;
  type: RedisType;
  bound: string;
  /** True for legacy v3 keys (unprefixed, contract-fixed format). */
  legacy: boolean;
  /** Part of the derived state compared by replay/failover checks (false for pure bookkeeping). */
  projected: boolean;
  description: string;
}

export function keyFamilies(p: string): KeyFamily[] {
  return [
    { name: 'dedupe-bits', pattern: `${p}dedupe:b:*`, type: 'string', legacy: false, projected: true, bound: '1 bit per numeric venue id; 128 KiB per 2^20-id chunk; chunks expire after the MD retention + 1 day', description: 'Applied-id bitmap for numeric venue ids (decision 2)' },
    { name: 'dedupe-set', pattern: `${p}dedupe:s:*`, type: 'set', legacy: false, projected: true, bound: 'ids of one stream-hour; each set expires after the MD retention + 1 day', description: 'Applied-id set for non-numeric venue ids (decision 2)' },
    { name: 'latest-trade', pattern: `${p}latest:trade:*`, type: 'hash', legacy: false, projected: true, bound: 'one per (symbol, venue)', description: 'Latest trade by venue time per symbol and venue' },
    { name: 'latest-quote', pattern: `${p}latest:quote:*`, type: 'hash', legacy: false, projected: true, bound: 'one per (symbol, venue)', description: 'Latest best bid/ask by venue time per symbol and venue' },
    { name: 'recent-trades', pattern: `${p}trades:*`, type: 'zset', legacy: false, projected: true, bound: 'RECENT_TRADES_MAX per symbol (default 1000)', description: 'Most recent trades per symbol across venues, by venue time' },
    { name: 'stream-status', pattern: `${p}status:*`, type: 'hash', legacy: false, projected: true, bound: 'one field per ingest instance per (symbol, venue, channel)', description: 'Latest status heartbeat/change per stream and ingest' },
    { name: 'completeness', pattern: `${p}completeness:*`, type: 'zset', legacy: false, projected: true, bound: '1500 gap records per (symbol, venue, channel): the newest ~500 gaps', description: 'Gap events of a stream (detected, repaired, unrepaired): completeness state and counts' },
    { name: 'checkpoint', pattern: `${p}checkpoint:*`, type: 'hash', legacy: false, projected: true, bound: 'one per persister group', description: 'Highest MD stream sequence applied by a persister group' },
    { name: 'legacy-order', pattern: `${p}legacy:*`, type: 'zset', legacy: false, projected: true, bound: '1000 entries (history) and one marker', description: 'Ordering index behind btc_movement_history and last_btc_price (event-time order, ties by trade id)' },
    { name: 'index-input', pattern: `${p}index:in:*`, type: 'zset', legacy: false, projected: true, bound: 'one member per second per (index, venue, quote|trade) for INDEX_HISTORY_S + INDEX_LOOKBACK_MS behind the watermark (default 3,660 x 6 per index)', description: 'Composite index inputs: newest quote mid / trade price per venue per second (max-register by venue time)' },
    { name: 'index-watermark', pattern: `${p}index:wm:*`, type: 'string', legacy: false, projected: true, bound: 'one per index symbol', description: 'Composite index: newest grid second reached by the constituents\' heartbeats' },
    { name: 'index-history', pattern: `${p}index:h:*`, type: 'zset', legacy: false, projected: true, bound: 'one value per grid second for INDEX_HISTORY_S behind the watermark (default 3,600 x ~1 KiB per index)', description: 'Composite index values on the 1 s event-time grid, with constituents' },
    { name: 'index-minutes', pattern: `${p}index:min:*`, type: 'zset', legacy: false, projected: true, bound: 'one bar per minute for 24 h + 1 min behind the watermark (1,441 per index)', description: 'Composite index: per-minute open/high/low/close of the 1 s values (24 h statistics)' },
    { name: 'legacy-last-price', pattern: 'last_btc_price', type: 'string', legacy: true, projected: true, bound: '1 key', description: 'v3: last BTC price as decimal text' },
    { name: 'legacy-update-time', pattern: 'last_btc_update_time', type: 'string', legacy: true, projected: true, bound: '1 key', description: 'v3: epoch seconds with fraction of the last trade' },
    { name: 'legacy-history', pattern: 'btc_movement_history', type: 'list', legacy: true, projected: true, bound: '1000 entries (LTRIM 0 999)', description: 'v3: newest-first JSON entries {price, timestamp, volume[, exchange]}' },
    { name: 'candle-bar', pattern: `${p}candle:*`, type: 'hash', legacy: false, projected: true, bound: 'per (symbol, venue or all, interval): CANDLE_RETENTION bars (default 1s 7200, 1m 10080, 5m/15m 8640, 1h 8760, 4h 4380, 1d 3650); ~20 small fields each', description: 'One OHLCV candle: open/close sort keys, high/low, count, revision/late counts, volume and notional limbs' },
    { name: 'candle-index', pattern: `${p}candles:*`, type: 'zset', legacy: false, projected: true, bound: 'one member per stored bar of its series (same bound as candle-bar)', description: 'Bar starts (epoch s) of one candle series, for range reads and retention' },
    { name: 'legacy-candle', pattern: 'btc_candle_*min', type: 'string', legacy: true, projected: true, bound: '6 keys (1, 5, 15, 30, 60, 240 min)', description: 'v3: newest candle of the legacy source stream, JSON {o, h, l, c, v, t, timestamp}' },
    { name: 'legacy-candles', pattern: 'btc_candles_*min', type: 'list', legacy: true, projected: true, bound: '6 keys of 100 entries', description: 'v3: the newest 100 candles of the legacy source stream per width, newest first' },
    { name: 'legacy-current-exchange', pattern: 'current_exchange', type: 'string', legacy: true, projected: true, bound: '1 key', description: 'v3: venue feeding the legacy keys when it is not the default' },
  ];
}

/** Key builders. Keys are built here and nowhere else. */
export class Keys {
  constructor(readonly prefix: string) {}

  dedupeBits(stream: string, chunk: bigint | number): string {
    return `${this.prefix}dedupe:b:${stream}:${chunk}`;
  }

  dedupeSet(stream: string, hourBucket: number): string {
    return `${this.prefix}dedupe:s:${stream}:${hourBucket}`;
  }

  latestTrade(symbol: string, venue: string): string {
    return `${this.prefix}latest:trade:${symbol}:${venue}`;
  }

  latestTradePattern(symbol: string): string {
    return `${this.prefix}latest:trade:${symbol}:*`;
  }

  latestQuote(symbol: string, venue: string): string {
    return `${this.prefix}latest:quote:${symbol}:${venue}`;
  }

  recentTrades(symbol: string): string {
    return `${this.prefix}trades:${symbol}`;
  }

  status(symbol: string, venue: string, channel: string): string {
    return `${this.prefix}status:${symbol}:${venue}:${channel}`;
  }

  statusPattern(symbol = '*'): string {
    return `${this.prefix}status:${symbol}:*`;
  }

  completeness(symbol: string, venue: string, channel: string): string {
    return `${this.prefix}completeness:${symbol}:${venue}:${channel}`;
  }

  checkpoint(group: string): string {
    return `${this.prefix}checkpoint:${group}`;
  }

  /** Composite index input register set of one constituent: kind `q` (quote mids) or `t` (trade prices). */
  indexInput(indexSymbol: string, venue: string, kind: 'q' | 't'): string {
    return `${this.prefix}index:in:${indexSymbol}:${venue}:${kind}`;
  }

  indexWatermark(indexSymbol: string): string {
    return `${this.prefix}index:wm:${indexSymbol}`;
  }

  indexHistory(indexSymbol: string): string {
    return `${this.prefix}index:h:${indexSymbol}`;
  }

  indexMinutes(indexSymbol: string): string {
    return `${this.prefix}index:min:${indexSymbol}`;
  }

  legacyHistoryIndex(): string {
    return `${this.prefix}legacy:history`;
  }

  legacyLastMarker(): string {
    return `${this.prefix}legacy:last`;
  }

  /** Common prefix of candle bar keys: `<prefix>candle:<symbol>:<venue|all>:<interval>:<start s>`. */
  candlePrefix(): string {
    return `${this.prefix}candle:`;
  }

  candleBar(symbol: string, venue: string, interval: string, startSec: number): string {
    return `${this.prefix}candle:${symbol}:${venue}:${interval}:${startSec}`;
  }

  /** Common prefix of candle series indexes: `<prefix>candles:<symbol>:<venue|all>:<interval>`. */
  candleIndexPrefix(): string {
    return `${this.prefix}candles:`;
  }

  candleIndex(symbol: string, venue: string, interval: string): string {
    return `${this.prefix}candles:${symbol}:${venue}:${interval}`;
  }

  /** v3 candle key of an N-minute width: `btc_candle_<N>min`. */
  static legacyCandle(minutes: number): string {
    return `btc_candle_${minutes}min`;
  }

  /** v3 list of recent candles of an N-minute width: `btc_candles_<N>min`. */
  static legacyCandles(minutes: number): string {
    return `btc_candles_${minutes}min`;
  }

  static readonly legacy = {
    lastPrice: 'last_btc_price',
    updateTime: 'last_btc_update_time',
    history: 'btc_movement_history',
    currentExchange: 'current_exchange',
    channel: 'btc_price',
  } as const;
}

/** Which family a key belongs to, or undefined (an unregistered key: a bug). */
export function familyOf(key: string, families: KeyFamily[]): KeyFamily | undefined {
  return families.find((f) => globMatch(f.pattern, key));
}

function globMatch(pattern: string, key: string): boolean {
  if (!pattern.includes('*')) return pattern === key;
  const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(key);
}
