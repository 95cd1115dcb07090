import type { MarketSpec } from '../price-walk';
import type { SimQuote } from '../quote-types';
import type { HostileKind, SimTrade } from '../types';

/**
 * What one venue's wire protocol looks like to the simulator. The simulator owns sockets, timers, markets and
 * the record; a protocol only decides paths, subscriptions, keepalive defaults and the exact frame text.
 * Adding a venue = one file implementing this interface + one line in registry.ts (see binance.ts).
 */
export interface VenueProtocol {
  /** Venue id as used across Feed ("binance"). Also the optional path prefix: /binance/ws/... */
  readonly venue: string;
  /** The venue documentation this implementation follows. */
  readonly docsUrl: string;
  /** Venue-native symbols simulated when none are configured. */
  readonly defaultSymbols: readonly string[];
  /** The venue's real keepalive rules; the simulator's options override them (scaled down in tests). */
  readonly keepalive: KeepaliveRules;
  readonly limits: ConnectionLimits;

  /** Market shape (start price, tick and size grid) of a venue-native symbol. */
  specFor(symbol: string): MarketSpec;

  /** Decide a WebSocket upgrade for this path (venue prefix already removed) and query. */
  accept(pathname: string, query: URLSearchParams): AcceptResult;

  /** Handle one text message from a client. */
  onMessage(text: string, session: SessionView): ClientMessageResult;

  /** Which market and channel a stream name addresses; null when the name is not valid for this venue. */
  parseStream(stream: string): StreamTarget | null;

  /** Stream name of the trade channel of a symbol ("btcusdt@trade"). */
  tradeStream(symbol: string): string;

  /** Wire text of prices and sizes. */
  wirePrice(units: number, decimals: number): string;
  wireQty(units: number, decimals: number): string;

  /** The payload of one trade, built as text (ids are written exactly, never through a float). */
  encodeTrade(trade: SimTrade): string;

  /** Wrap a payload for a connection's framing (Binance "combined": {"stream":..,"data":..}). */
  frame(framing: string, stream: string, payload: string): string;

  /**
   * A deliberately bad payload of the given kind, shaped like a trade of `base`, carrying `hostileId` as its
   * trade id. `padding` (only for "oversize") is filler the simulator sizes so the frame reaches its target.
   */
  encodeHostile(kind: HostileKind, base: SimTrade, hostileId: string, padding: string): string;

  // ---- optional parts (Binance-only protocols may leave them out) ----

  /**
   * All trades of one engine tick in ONE message (Coinbase market_trades, Kraken trade, OKX trades and Bybit
   * publicTrade carry arrays). Without it each trade is its own message (Binance, Bitstamp).
   */
  encodeTrades?(trades: readonly SimTrade[]): string;
  /** Channel name (as parseStream returns it) carrying best bid/ask, e.g. "bookTicker"; none = no quotes. */
  readonly quoteChannel?: string;
  /** Stream name of a symbol's quote channel ("btcusdt@bookTicker"). */
  quoteStream?(symbol: string): string;
  /** Whether quote frames carry the venue's update id (recorded with each quote). */
  readonly quoteUpdateIds?: boolean;
  /** The payload of one best bid/ask update. */
  encodeQuote?(quote: SimQuote): string;
  /**
   * Every message on a connection carries a per-connection sequence number (Coinbase `sequence_num`): frames
   * contain SEQ_MARK where the number goes, and the connection writes its next number there.
   */
  readonly sequenced?: boolean;
  /** Application-level heartbeat messages (Coinbase heartbeats channel, Kraken heartbeat). */
  readonly heartbeat?: HeartbeatRule;
  /** Messages sent right after the WebSocket opens (Kraken's status message). */
  welcome?(session: ConnectionView): string[];
  /** The venue's public REST recent-trades endpoint. */
  readonly rest?: RestTradesEndpoint;
}

/** Placeholder for the per-connection sequence number of sequenced protocols (never valid JSON text). */
export const SEQ_MARK = '\u0000SEQ\u0000';

export interface HeartbeatRule {
  /** The venue's period (Coinbase and Kraken: about 1 s); the simulator's options override it. */
  readonly intervalMs: number;
  /** The heartbeat for this connection now, or null when it gets none (not subscribed, or not idle). */
  message(session: ConnectionView, nowMs: number, intervalMs: number): string | null;
}

export interface RestTradesRequest {
  readonly symbol: string;
  readonly limit: number;
  /** Only trades of the last windowMs (Bitstamp's time=minute|hour|day). */
  readonly windowMs?: number;
}

export interface RestTradesEndpoint {
  /** Paths (venue prefix removed) this endpoint answers, for the 404 message. */
  readonly paths: readonly string[];
  /** The request a path and query make, an error text for a bad one, or null when the path is not this one. */
  parse(pathname: string, query: URLSearchParams, symbols: readonly string[]): RestTradesRequest | string | null;
  /** The response body for the recent trades (oldest first as given; the venue decides its own order). */
  encode(trades: readonly SimTrade[], request: RestTradesRequest, nowMs: number): string;
}

export interface KeepaliveRules {
  /** Server WebSocket ping period; null when the venue does not ping. */
  readonly pingIntervalMs: number | null;
  /** Close a connection that has not answered a ping within this time; null = never. */
  readonly pongTimeoutMs: number | null;
  /** Close every connection after this long; null = never. */
  readonly connectionLifetimeMs: number | null;
  /** Close a connection the server has sent nothing to for this long (OKX 30 s, Coinbase 60-90 s); null = never. */
  readonly idleTimeoutMs?: number | null;
}

export interface ConnectionLimits {
  /** Incoming client messages per second before the connection is closed; null = unlimited. */
  readonly messagesPerSecond: number | null;
  /** Streams per connection; null = unlimited. */
  readonly maxStreams: number | null;
}

export type AcceptResult =
  | { readonly ok: true; readonly framing: string; readonly streams: readonly string[] }
  | { readonly ok: false; readonly status: number; readonly message: string };

export interface SessionView {
  readonly framing: string;
  readonly streams: ReadonlySet<string>;
  /** Connection number, unique in this simulator (venues' connection ids are derived from it). */
  readonly id?: number;
}

/** What heartbeat rules and welcome messages see of a live connection. */
export interface ConnectionView extends SessionView {
  readonly id: number;
  /** When the server last sent this connection anything (Date.now()). */
  readonly lastSentMs: number;
  /** Heartbeat messages sent to this connection so far. */
  readonly heartbeatsSent: number;
}

export interface ClientMessageResult {
  readonly subscribe?: readonly string[];
  readonly unsubscribe?: readonly string[];
  /** Text sent back to the client after subscriptions are applied. */
  readonly reply?: string;
  /** Several texts sent back, in order, after `reply` (Kraken acknowledges each symbol separately). */
  readonly replies?: readonly string[];
  /** Close the connection (malformed or forbidden input). */
  readonly close?: { readonly code: number; readonly reason: string };
}

export interface StreamTarget {
  readonly symbol: string;
  /** "trade" and the protocol's quoteChannel are generated; other channels are accepted but carry nothing. */
  readonly channel: string;
}
