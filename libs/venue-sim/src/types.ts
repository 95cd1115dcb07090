/**
 * Shared types of the venue simulator: what a market generates, what the record keeps, and the counters.
 * Prices and sizes are integers in units of 10^-decimals: no float ever touches a value that goes on the wire.
 */

/** One trade as the market generated it, before any venue encoding. */
export interface SimTrade {
  readonly venue: string;
  /** Venue-native symbol, e.g. "BTCUSDT". */
  readonly symbol: string;
  /** 0-based position in this market's generated sequence (tradeId = firstTradeId + seq). */
  readonly seq: number;
  /** Decimal text of the trade id, exact even above 2^53. */
  readonly tradeId: string;
  readonly priceUnits: number;
  readonly priceDecimals: number;
  readonly qtyUnits: number;
  readonly qtyDecimals: number;
  readonly tradeTimeMs: number;
  readonly eventTimeMs: number;
  readonly buyerIsMaker: boolean;
}

/** One entry of the simulator's record of trades sent (delivered to at least one connection). */
export interface RecordedTrade {
  /** Absolute 0-based index in this market's record (stable across record trimming). */
  readonly index: number;
  readonly venue: string;
  readonly symbol: string;
  readonly tradeId: string;
  /** Canonical decimal text: no exponent, no trailing fractional zeros ("67234.01"). */
  readonly price: string;
  readonly qty: string;
  /** The text exactly as it went on the wire ("67234.01000000" for Binance). */
  readonly priceRaw: string;
  readonly qtyRaw: string;
  readonly tradeTimeMs: number;
  readonly eventTimeMs: number;
  readonly buyerIsMaker: boolean;
  /** Number of connections the frame was written to. */
  readonly deliveredTo: number;
}

export const HOSTILE_KINDS = [
  'non_numeric',
  'negative',
  'nan',
  'infinity',
  'zero_size',
  'wrong_types',
  'missing_field',
  'unknown_type',
  'not_json',
  'oversize',
  // a price far beyond any market (30 digits): exact as text, absurd as a value
  'huge_number',
  // a plausible trade time, but in 2099: far ahead of the receive time (refused as future_time)
  'future_time',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export function isHostileKind(v: unknown): v is HostileKind {
  return typeof v === 'string' && (HOSTILE_KINDS as readonly string[]).includes(v);
}

/** One hostile frame injected into the connections of one symbol group. */
export interface HostileFrameRecord {
  readonly kind: HostileKind;
  readonly venue: string;
  readonly symbol: string;
  /** The id written in the frame (below firstTradeId, so it never collides with a genuine trade), or null. */
  readonly tradeId: string | null;
  readonly bytes: number;
  readonly deliveredTo: number;
  readonly sentAtMs: number;
}

/** One re-broadcast of an already-sent trade (same id and content as the original). */
export interface ResendRecord {
  readonly venue: string;
  readonly symbol: string;
  readonly tradeId: string;
  /** Index of the original in the market's record. */
  readonly index: number;
  readonly deliveredTo: number;
  readonly sentAtMs: number;
}

export interface MarketSummary {
  readonly venue: string;
  readonly symbol: string;
  /** Trades in the record (sent to >= 1 connection), including any trimmed from memory. */
  readonly count: number;
  readonly firstTradeId: string | null;
  readonly lastTradeId: string | null;
  readonly lastPrice: string | null;
  readonly resends: number;
  readonly hostile: Readonly<Record<string, number>>;
}

export interface SimCounters {
  connectionsOpened: number;
  connectionsClosed: number;
  upgradesRejected: number;
  pingsSent: number;
  pongsReceived: number;
  unsolicitedPongs: number;
  missedPongCloses: number;
  lifetimeCloses: number;
  dropCloses: number;
  closeAllCloses: number;
  malformedCloses: number;
  rateLimitCloses: number;
  clientMessages: number;
  subscribeRequests: number;
  unsubscribeRequests: number;
  tradeFramesSent: number;
  hostileFramesSent: number;
  resentFramesSent: number;
  quoteFramesSent: number;
  heartbeatsSent: number;
  idleCloses: number;
  rejected429: number;
  gapTradesSkipped: number;
  restRequests: number;
  /** REST requests refused by the restReject429 fault. */
  restRejected: number;
}

export function newCounters(): SimCounters {
  return {
    connectionsOpened: 0,
    connectionsClosed: 0,
    upgradesRejected: 0,
    pingsSent: 0,
    pongsReceived: 0,
    unsolicitedPongs: 0,
    missedPongCloses: 0,
    lifetimeCloses: 0,
    dropCloses: 0,
    closeAllCloses: 0,
    malformedCloses: 0,
    rateLimitCloses: 0,
    clientMessages: 0,
    subscribeRequests: 0,
    unsubscribeRequests: 0,
    tradeFramesSent: 0,
    hostileFramesSent: 0,
    resentFramesSent: 0,
    quoteFramesSent: 0,
    heartbeatsSent: 0,
    idleCloses: 0,
    rejected429: 0,
    gapTradesSkipped: 0,
    restRequests: 0,
    restRejected: 0,
  };
}

export interface MarketStats {
  readonly venue: string;
  readonly symbol: string;
  readonly rate: number;
  readonly generated: number;
  readonly sent: number;
  readonly maxTrades: number | null;
  readonly exhausted: boolean;
  readonly subscribers: number;
  readonly lastTradeId: string | null;
}

export interface SimStats {
  readonly venues: readonly string[];
  readonly uptimeMs: number;
  readonly connections: number;
  readonly paused: boolean;
  readonly silenced: boolean;
  readonly silencedForMs: number;
  readonly counters: Readonly<SimCounters>;
  readonly markets: readonly MarketStats[];
}
