import type { MarketSpec } from '../price-walk';
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
}

export interface KeepaliveRules {
  /** Server WebSocket ping period; null when the venue does not ping. */
  readonly pingIntervalMs: number | null;
  /** Close a connection that has not answered a ping within this time; null = never. */
  readonly pongTimeoutMs: number | null;
  /** Close every connection after this long; null = never. */
  readonly connectionLifetimeMs: number | null;
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
}

export interface ClientMessageResult {
  readonly subscribe?: readonly string[];
  readonly unsubscribe?: readonly string[];
  /** Text sent back to the client after subscriptions are applied. */
  readonly reply?: string;
  /** Close the connection (malformed or forbidden input). */
  readonly close?: { readonly code: number; readonly reason: string };
}

export interface StreamTarget {
  readonly symbol: string;
  /** "trade" is generated; other channels are accepted but carry nothing yet. */
  readonly channel: string;
}
