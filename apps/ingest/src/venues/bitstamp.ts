import { isSymbol, parseJsonNumbersAsText, type Symbol } from '@feed/price-types';
import type { Classified, StreamKey, VenueAdapter } from './venue-adapter';

/**
 * Bitstamp WebSocket API v2 (https://www.bitstamp.net/websocket/v2/):
 *  - one endpoint, wss://ws.bitstamp.net; a client subscribes per channel with
 *    {"event": "bts:subscribe", "data": {"channel": "<channel_name>"}} (one channel per message);
 *  - trades: `live_trades_<pair>` (event "trade", data.id = trade id per pair); best bid/ask: `order_book_<pair>`
 *    (event "data", top 100 levels per side, a full snapshot per change; no book update id);
 *  - server frames are {"event", "channel", "data"}. Protocol events are control frames, counted and not published:
 *    bts:subscription_succeeded / bts:unsubscription_succeeded (acks), bts:heartbeat (reply to a client heartbeat),
 *    bts:error (a refused request), and bts:request_reconnect, which the venue sends before maintenance ("Forced
 *    reconnection"): the socket will be closed, so the supervisor should open a replacement connection now (make
 *    before break). The adapter can only report it (control kind `reconnect_request`); acting on it belongs to the
 *    connection manager (apps/ingest/src/venue-supervisor.ts), which does not do so yet.
 *  - no client keepalive is required by the docs (none configured); the order book channel updates many times a
 *    second, trades may be quiet: staleness is per stream in ingest.
 *  - connection lifetime: the docs give no short limit; we rotate every 24 h (our choice, configurable).
 * Pair spelling: lower-case BASE+QUOTE ("btcusd"), canonical BTC-USD (USD, not USDT).
 */

const QUOTES = ['PYUSD', 'USDT', 'USDC', 'EUR', 'GBP', 'USD', 'BTC', 'ETH'];
const OTHER: Classified = { channel: 'other', symbol: '_' };
/** Same rule as the event-id validator (assertVenueEventId): a msg id is only set when the event id will match. */
const INT_ID = /^\d{1,20}$/;

function canonical(pair: string): Symbol | undefined {
  const up = pair.toUpperCase();
  if (!/^[A-Z0-9]{4,20}$/.test(up)) return undefined;
  const q = QUOTES.find((x) => up.length > x.length && up.endsWith(x));
  const s = q ? `${up.slice(0, -q.length)}-${q}` : undefined;
  return s && isSymbol(s) ? s : undefined;
}

function channelName(s: StreamKey): string {
  const pair = s.symbol.replace('-', '').toLowerCase();
  return s.channel === 'trade' ? `live_trades_${pair}` : `order_book_${pair}`;
}

const CONTROL: Readonly<Record<string, string>> = {
  'bts:subscription_succeeded': 'subscription_ack',
  'bts:unsubscription_succeeded': 'subscription_ack',
  'bts:heartbeat': 'heartbeat',
  'bts:request_reconnect': 'reconnect_request',
  'bts:error': 'request_error',
};

export const bitstampAdapter: VenueAdapter = {
  venue: 'bitstamp',
  // Client heartbeat: without it a quiet market leaves the socket silent and the supervisor would replace a healthy
  // connection every silentMs (found by the contract test). Bitstamp answers {"event":"bts:heartbeat"} in kind.
  rules: {
    maxFrameBytes: 64 * 1024,
    connectionLifetimeMs: 24 * 3_600_000,
    connectionBudget: { max: 60, windowMs: 60_000 },
    clientPing: { intervalMs: 10_000, message: '{"event":"bts:heartbeat"}' },
  },
  venueSymbol: (symbol) => symbol.replace('-', '').toLowerCase(),
  url: (baseUrl) => baseUrl.replace(/\/+$/, ''),
  subscribeMessages: (streams) => streams.map((s) => JSON.stringify({ event: 'bts:subscribe', data: { channel: channelName(s) } })),
  classify(text: string): Classified {
    let o: unknown;
    try {
      o = parseJsonNumbersAsText(text);
    } catch {
      return OTHER;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return OTHER;
    const d = o as Record<string, unknown>;
    const event = d['event'];
    if (typeof event !== 'string') return OTHER;
    const control = CONTROL[event];
    if (control) return { ...OTHER, control };
    const channel = d['channel'];
    if (typeof channel !== 'string') return OTHER;
    if (event === 'trade' && channel.startsWith('live_trades_')) {
      const sym = canonical(channel.slice('live_trades_'.length));
      if (!sym) return OTHER;
      const c: Classified = { channel: 'trade', symbol: sym };
      const data = d['data'];
      const id = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['id'] : undefined;
      if (typeof id === 'string' && INT_ID.test(id)) c.msgId = `trade:bitstamp:${sym}:${id}`;
      return c;
    }
    if (event === 'data' && channel.startsWith('order_book_')) {
      const sym = canonical(channel.slice('order_book_'.length));
      // No venue update id: the quote's id is a hash of its content (normalizer), so no msg id on RAW.
      return sym ? { channel: 'quote', symbol: sym } : OTHER;
    }
    return OTHER;
  },
};
