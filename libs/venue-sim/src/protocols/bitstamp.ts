import { defaultSpecFor, type MarketSpec } from '../price-walk';
import type { HostileKind, SimTrade } from '../types';
import { bitstampAmount, bitstampPrice, encodeBitstampBook, encodeBitstampRest, encodeBitstampTrade } from './bitstamp-frames';
import { hostileText } from './hostile-text';
import type { AcceptResult, ClientMessageResult, SessionView, StreamTarget, VenueProtocol } from './venue-protocol';
import { jsonObject } from './wire-text';

/**
 * Bitstamp WebSocket API v2 (wss://ws.bitstamp.net), as documented at https://www.bitstamp.net/websocket/v2/ :
 *  - {"event":"bts:subscribe","data":{"channel":"live_trades_btcusd"}} answered
 *    {"event":"bts:subscription_succeeded","channel":"live_trades_btcusd","data":{}} (bts:unsubscribe likewise);
 *  - channels: live_trades_<pair> (trades), order_book_<pair> (the documented channel carrying the top of the
 *    book: chosen for best bid/ask), diff_order_book_, detail_order_book_, full_order_book_, live_orders_
 *    (accepted, carry nothing);
 *  - {"event":"bts:heartbeat"} is answered {"event":"bts:heartbeat","channel":"","data":{"status":"success"}};
 *  - an invalid channel is answered {"event":"bts:error","channel":"","data":{"code":null,"message":..}}.
 * Stream names are the channel names. Malformed JSON closes the connection (1008).
 */
const CHANNEL_RE = /^(live_trades|order_book|diff_order_book|detail_order_book|full_order_book|live_orders)_([a-z0-9]{3,16})$/;

function parseStream(stream: string): StreamTarget | null {
  const m = CHANNEL_RE.exec(stream);
  if (!m) return null;
  const kind = m[1] as string;
  return { symbol: m[2] as string, channel: kind === 'live_trades' ? 'trade' : kind === 'order_book' ? 'quote' : kind };
}

function onMessage(text: string, _session: SessionView): ClientMessageResult {
  const req = jsonObject(text);
  if (!req) return { close: { code: 1008, reason: 'malformed request: not a JSON object' } };
  const event = req['event'];
  if (event === 'bts:heartbeat') return { reply: '{"event":"bts:heartbeat","channel":"","data":{"status":"success"}}' };
  const data = typeof req['data'] === 'object' && req['data'] !== null ? (req['data'] as Record<string, unknown>) : {};
  const channel = data['channel'];
  const error = (message: string): ClientMessageResult => ({ reply: `{"event":"bts:error","channel":"","data":{"code":null,"message":${JSON.stringify(message)}}}` });
  if (event !== 'bts:subscribe' && event !== 'bts:unsubscribe') return error('Bad request');
  if (typeof channel !== 'string' || parseStream(channel) === null) return error('Incorrect channel name');
  if (event === 'bts:subscribe') return { subscribe: [channel], reply: `{"event":"bts:subscription_succeeded","channel":"${channel}","data":{}}` };
  return { unsubscribe: [channel], reply: `{"event":"bts:unsubscription_succeeded","channel":"${channel}","data":{}}` };
}

function specFor(symbol: string): MarketSpec {
  return { ...defaultSpecFor(symbol.toUpperCase()), priceDecimals: 0, qtyDecimals: 8 }; // btcusd: counter_decimals 0, base_decimals 8
}

const WINDOWS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export const bitstamp: VenueProtocol = {
  venue: 'bitstamp',
  docsUrl: 'https://www.bitstamp.net/websocket/v2/',
  defaultSymbols: ['btcusd'],
  keepalive: { pingIntervalMs: null, pongTimeoutMs: null, connectionLifetimeMs: null, idleTimeoutMs: null },
  limits: { messagesPerSecond: null, maxStreams: null },
  specFor,
  accept(pathname: string): AcceptResult {
    if (pathname === '/' || pathname === '') return { ok: true, framing: 'json', streams: [] };
    return { ok: false, status: 404, message: `no such path ${pathname}; connect to /` };
  },
  onMessage,
  parseStream,
  tradeStream: (symbol) => `live_trades_${symbol}`,
  wirePrice: bitstampPrice,
  wireQty: bitstampAmount,
  encodeTrade: encodeBitstampTrade,
  frame: (_framing, _stream, payload) => payload,
  encodeHostile(kind: HostileKind, base: SimTrade, _id: string, padding: string): string {
    const shape = { price: 'price_str', qty: 'amount_str', id: 'id', numeric: false, idNumeric: true, typeField: 'event', unknownType: 'weird', time: 'microtimestamp', timeForm: 'us_text' as const };
    return hostileText(kind, encodeBitstampTrade(base), shape, padding);
  },
  quoteChannel: 'quote',
  quoteStream: (symbol) => `order_book_${symbol}`,
  encodeQuote: encodeBitstampBook,
  rest: {
    paths: ['/api/v2/transactions/<pair>/?time=minute|hour|day'],
    parse(pathname, query, symbols) {
      const m = /^\/api\/v2\/transactions\/([a-z0-9]+)\/?$/.exec(pathname);
      if (!m) return null;
      const symbol = m[1] as string;
      if (!symbols.includes(symbol)) return `unknown currency pair ${symbol}`;
      const windowMs = WINDOWS[query.get('time') ?? 'hour'];
      return windowMs === undefined ? 'time must be minute, hour or day' : { symbol, limit: 1_000_000, windowMs };
    },
    encode: (trades, request, nowMs) => encodeBitstampRest(trades.filter((t) => t.tradeTimeMs >= nowMs - (request.windowMs ?? 3_600_000))),
  },
};
