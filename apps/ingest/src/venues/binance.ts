import { parseJsonNumbersAsText, type Symbol } from '@feed/price-types';
import type { Classified, StreamKey, VenueAdapter } from './venue-adapter';

/**
 * Binance spot market streams (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams):
 *  - combined streams at `<base>/stream?streams=btcusdt@trade/...`, frames wrapped as {"stream","data"};
 *  - the server pings every 20 s and closes if no pong within 1 min (the ws library answers pings itself);
 *  - a connection is closed after 24 h: rotate before that;
 *  - limits: 5 incoming messages/s per connection, 1024 streams per connection, 300 connections per 5 min per IP.
 * Streams are named in the URL, so no subscribe message is needed (and none counts against the 5 msg/s limit).
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

export const binanceAdapter: VenueAdapter = {
  venue: 'binance',
  rules: { maxFrameBytes: 64 * 1024, connectionLifetimeMs: 24 * 3_600_000 },
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
    return { channel: 'other', symbol: sym ?? '_' };
  },
};
