import { parseJsonNumbersAsText, type Symbol } from '@feed/price-types';
import type { Classified, StreamKey, VenueAdapter } from './venue-adapter';

/**
 * Binance spot market streams (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams):
 *  - combined streams at `<base>/stream?streams=btcusdt@trade/...`, frames wrapped as {"stream","data"};
 *  - the server pings every 20 s and closes if no pong within 1 min (the ws library answers pings itself);
 *  - a connection is closed after 24 h: rotate before that;
 *  - limits: 5 incoming messages/s per connection, 1024 streams per connection, 300 connections per 5 min per IP.
 * Streams are named in the URL, so no subscribe message is needed (and none counts against the 5 msg/s limit).
 * The quote channel (`BINANCE_CHANNELS=trade,quote`) adds `<symbol>@bookTicker` to the same URL.
 */
const QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'EUR', 'TRY', 'BTC', 'ETH', 'USD'];

function canonical(venueSymbol: string): Symbol | undefined {
  const up = venueSymbol.toUpperCase();
  const q = QUOTES.find((x) => up.length > x.length && up.endsWith(x));
  return q ? `${up.slice(0, -q.length)}-${q}` : undefined;
}

function streamName(s: StreamKey): string {
  const sym = s.symbol.replace('-', '').toLowerCase();
  return s.channel === 'trade' ? `${sym}@trade` : `${sym}@bookTicker`;
}

/**
 * Individual Symbol Book Ticker stream `<symbol>@bookTicker`
 * (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#individual-symbol-book-ticker-streams):
 * {"u":<order book updateId>,"s":"BNBUSDT","b":"<best bid>","B":"<bid qty>","a":"<best ask>","A":"<ask qty>"}.
 * The spot payload has no "e" field (the futures one says "e":"bookTicker"; both are accepted). Its `u` is the order
 * book update id, so the msg id is `quote:binance:<symbol>:<u>`, the quote event's own id (decision 1).
 */
function isBookTicker(d: Record<string, unknown>): boolean {
  if (d['e'] === 'bookTicker') return true;
  return d['e'] === undefined && 'u' in d && 'b' in d && 'a' in d;
}

export const binanceAdapter: VenueAdapter = {
  venue: 'binance',
  rules: { maxFrameBytes: 64 * 1024, connectionLifetimeMs: 24 * 3_600_000, connectionBudget: { max: 100, windowMs: 5 * 60_000 } },
  venueSymbol: (symbol) => symbol.replace('-', ''),
  url: (baseUrl, streams) => `${baseUrl.replace(/\/+$/, '')}/stream?streams=${streams.map(streamName).join('/')}`,
  subscribeMessages: () => [],
  classify(text: string): Classified {
    let o: unknown;
    try {
      o = parseJsonNumbersAsText(text);
    } catch {
      return { channel: 'other', symbol: '_' };
    }
    if (typeof o !== 'object' || o === null) return { channel: 'other', symbol: '_' };
    let d = o as Record<string, unknown>;
    if ('result' in d && 'id' in d) return { channel: 'other', symbol: '_', control: 'subscription_ack' };
    if (typeof d['data'] === 'object' && d['data'] !== null) d = d['data'] as Record<string, unknown>;
    const sym = typeof d['s'] === 'string' ? canonical(d['s']) : undefined;
    if (d['e'] === 'trade' && sym) {
      const t = d['t'];
      const c: Classified = { channel: 'trade', symbol: sym };
      if (typeof t === 'string' && /^\d{1,20}$/.test(t)) c.msgId = `trade:binance:${sym}:${t}`;
      return c;
    }
    if (isBookTicker(d) && sym) {
      const u = d['u'];
      const c: Classified = { channel: 'quote', symbol: sym };
      if (typeof u === 'string' && /^\d{1,20}$/.test(u)) c.msgId = `quote:binance:${sym}:${u}`;
      return c;
    }
    return { channel: 'other', symbol: sym ?? '_' };
  },
};
