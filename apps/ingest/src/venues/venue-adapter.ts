import type { RawChannel } from '@feed/messaging';
import type { Channel, Symbol, VenueId } from '@feed/price-types';

/** One subscribed stream: a channel of a symbol on a venue. */
export interface StreamKey {
  venue: VenueId;
  channel: Channel;
  symbol: Symbol;
}

/** How ingest files a frame on RAW, decided by a cheap look at the frame. */
export interface Classified {
  channel: RawChannel;
  symbol: Symbol | '_';
  /** Deterministic msg id when the venue gives an id (decision 1), so replicas and resends dedupe in RAW. */
  msgId?: string;
  /** Frames that are pure protocol chatter (subscription acks, pongs): counted, not published. */
  control?: string;
}

/** Protocol rules of a venue that the connection manager applies (keepalive, lifetime, limits). */
export interface VenueRules {
  /** Largest frame accepted; bigger ones are refused at the socket and counted. */
  maxFrameBytes: number;
  /** The venue closes connections after this long; ingest opens the replacement before (make before break). */
  connectionLifetimeMs: number;
  /**
   * Client-initiated keepalive for venues that require one (Binance pings us instead, and ws answers its pings):
   * every `intervalMs` send `message` as a text frame (OKX: "ping", Bybit: {"op":"ping"}), or a WebSocket ping
   * frame when `message` is absent. The venue's reply is classified as a control frame by the adapter.
   */
  clientPing?: { intervalMs: number; message?: string };
  /** Connection attempts this process may make per window (a share of the venue's per-IP limit). */
  connectionBudget: { max: number; windowMs: number };
}

/**
 * A venue adapter: connection-level knowledge only (URL, subscribe messages, classification, rules). Mapping
 * frames to events is the normalizer's job (one mapper per venue there). Adding a venue adds one file here,
 * one mapper, fixtures and one registry line each (docs/adding-a-venue.md).
 */
export interface VenueAdapter {
  venue: VenueId;
  rules: VenueRules;
  /** Canonical symbol -> the venue's spelling (BTC-USDT -> BTCUSDT). */
  venueSymbol(symbol: Symbol): string;
  /** WebSocket URL for these streams given the configured base URL. */
  url(baseUrl: string, streams: StreamKey[]): string;
  /** Messages to send right after the socket opens (subscriptions), in order. */
  subscribeMessages(streams: StreamKey[]): string[];
  classify(text: string): Classified;
  /**
   * The frame's per-connection message sequence number, for venues that number every message of a connection
   * (Coinbase `sequence_num`); called for EVERY frame, control frames included. Absent: no sequence to check.
   */
  sequenceNumber?(text: string): number | undefined;
}
