import type { Symbol } from './symbols';
import type { Source, VenueId } from './venues';

/**
 * Market-data events, schema version 1. These are the facts on the log (`<prefix>.md.v1.<type>.<symbol>.<venue>`);
 * every Redis projection and every API payload is derived from them. Field meanings are defined here, once;
 * docs/event-catalog.md repeats them for readers outside the code.
 *
 * Compatibility: v1 may gain optional fields; consumers ignore fields they do not know. Removing or changing
 * the meaning of a field is a new version (v2) on new subjects, published side by side during migration.
 */
export const SCHEMA_VERSION = 1 as const;

/** Fields every event carries. */
export interface EventBaseV1 {
  /** Schema version of this payload. */
  v: 1;
  /** Deterministic id, `<type>:<venue>:<symbol>:<venue id>` (decision 1). Also the JetStream Nats-Msg-Id. */
  id: string;
  venue: VenueId;
  /** Canonical BASE-QUOTE symbol, quote currency exact ("BTC-USD" is not "BTC-USDT"). */
  symbol: Symbol;
  /** `live` from a real venue, `simulated` from the venue simulator (decision 7). */
  source: Source;
  /**
   * Receive time: epoch µs at which Feed's ingest read the frame carrying this event off the venue socket.
   * Our clock, not the venue's. Latency = recvTimeUs - venueTimeUs.
   */
  recvTimeUs: number;
}

/**
 * Taker side: the side of the order that crossed the spread and caused the trade ("aggressor").
 * `buy` = a buyer lifted an ask (price pressure up); `sell` = a seller hit a bid. Venues that report the
 * maker's side or a buyer-is-maker flag are inverted in their mapper, with the venue's doc cited there.
 * `unknown` only where a venue does not say.
 */
export type TakerSide = 'buy' | 'sell' | 'unknown';

export interface TradeV1 extends EventBaseV1 {
  type: 'trade';
  /** The venue's own trade id, an opaque string (may exceed 2^53; may be non-numeric). */
  tradeId: string;
  /** Canonical decimal string in the quote currency, > 0. */
  price: string;
  /** Canonical decimal string in the base currency, > 0. */
  size: string;
  side: TakerSide;
  /** Venue time: epoch µs at which the venue says the trade matched (its clock). */
  venueTimeUs: number;
  /**
   * W3C trace id (32 lowercase hex) of the trace that carried this trade through Feed, set by the normalizer only
   * when the venue frame was sampled for tracing (docs/tracing.md: open it in Jaeger). Absent otherwise. Not part
   * of the trade's identity: two ingest replicas' copies of a trade may carry different trace ids and still dedupe
   * to one (the first on the log wins, in live and in replay alike).
   */
  traceId?: string;
}

export interface QuoteV1 extends EventBaseV1 {
  type: 'quote';
  /** Best bid / best ask prices and the sizes resting there, canonical decimals, > 0, bid <= ask. */
  bidPrice: string;
  bidSize: string;
  askPrice: string;
  askSize: string;
  /** Venue time of the book update; for venues that give none, the receive time (documented per venue). */
  venueTimeUs: number;
  /** The venue's update id when it gives one (then the id ends with it), else absent. */
  updateId?: string;
}

/** What a stream's connection looks like from one ingest (decision "stale is never silent"). */
export type ConnectionState = 'live' | 'stale' | 'reconnecting' | 'down';
/** Channels an ingest adapter subscribes to. */
export type Channel = 'trade' | 'quote';

export interface StreamStatusV1 extends EventBaseV1 {
  type: 'status';
  channel: Channel;
  /**
   * `heartbeat`: published every second per stream by each ingest, so that event time advances on the log
   * even when no trade happens (decision 6). `change`: published when the state changes.
   */
  kind: 'heartbeat' | 'change';
  state: ConnectionState;
  /** Which ingest instance says this (several replicas may watch the same stream). */
  ingestId: string;
  /** Receive time of the last venue frame on this stream seen by that ingest, or null if none yet. */
  lastFrameUs: number | null;
  /** Frames received on this stream by that ingest since it started (monotonic per ingest instance). */
  frames: number;
  /** Free text for a change: why the state changed (e.g. "silent 5000 ms", "closed 1006"). */
  reason?: string;
}

export interface GapV1 extends EventBaseV1 {
  type: 'gap';
  channel: Channel;
  /** Last venue id seen before the hole and first seen after it (exclusive bounds). */
  afterId: string;
  beforeId: string;
  /** Number of missing items when the venue's ids allow counting, else null. */
  missing: number | null;
  /** Receive time at which the hole was noticed. */
  detectedAtUs: number;
  /**
   * `detected`: the hole is confirmed (still missing after the fill window) and repair starts; `repaired`: every
   * missing id has since reached the market-data stream (from the venue's REST endpoint or a late frame);
   * `unrepaired`: still missing after the grace period, given up. One event per state; ids end with `:<state>`.
   */
  state: GapState;
  /** How the hole was seen (optional, v1-compatible addition): consecutive trade ids, or a message sequence number. */
  detectedBy?: GapDetection;
  /** Why a gap ended `unrepaired` (no_rest, rest_failed, grace_expired, too_large, too_many_open). */
  reason?: string;
  /** Trades the repair re-published from the venue's REST endpoint (on `repaired`). */
  repairedTrades?: number;
}

export type GapState = 'detected' | 'repaired' | 'unrepaired';
/** `trade_id`: the venue's trade ids are consecutive per symbol; `sequence`: a per-connection message counter. */
export type GapDetection = 'trade_id' | 'sequence';

export type MarketEventV1 = TradeV1 | QuoteV1 | StreamStatusV1 | GapV1;
export type EventTypeV1 = MarketEventV1['type'];
