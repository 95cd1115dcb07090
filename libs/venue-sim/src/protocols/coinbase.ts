import { defaultSpecFor, type MarketSpec } from '../price-walk';
import type { HostileKind, SimTrade } from '../types';
import { coinbaseTradeObject, encodeCoinbaseHeartbeat, encodeCoinbaseSubscriptions, encodeCoinbaseTicker, encodeCoinbaseTrades } from './coinbase-frames';
import { hostileText } from './hostile-text';
import type { AcceptResult, ClientMessageResult, SessionView, StreamTarget, VenueProtocol } from './venue-protocol';
import { canon, jsonObject, limitParam, stringList } from './wire-text';

/**
 * Coinbase Advanced Trade market data WebSocket (wss://advanced-trade-ws.coinbase.com), as documented at
 * https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-overview and
 * https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels :
 *  - one endpoint; the client sends {"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}
 *    (one channel per message; "jwt" optional for public channels), answered by a `subscriptions` message;
 *  - channels simulated: market_trades (trades), ticker (best bid/ask), heartbeats (every second, keeps the
 *    connection open); others (level2, candles, status, ticker_batch) are accepted and carry nothing;
 *  - "most channels close within 60-90 seconds if no updates are sent": a connection sent nothing for
 *    idleTimeoutMs (default 75 s) is closed; heartbeats prevent it;
 *  - every message carries sequence_num, per connection, counting every message.
 * Stream names are "<channel>:<product>" and "heartbeats". A malformed request closes the connection (1008).
 * Not simulated: the snapshot event sent on subscribing (every event here is "update"), the 5 s subscribe deadline.
 */
const PRODUCT_RE = /^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/;
const PRODUCT_CHANNELS = new Set(['market_trades', 'ticker', 'ticker_batch', 'level2', 'candles', 'status']);
const startedAtMs = Date.now();

function parseStream(stream: string): StreamTarget | null {
  const i = stream.indexOf(':');
  if (i < 0) return null;
  const channel = stream.slice(0, i);
  const symbol = stream.slice(i + 1);
  if (!PRODUCT_CHANNELS.has(channel) || !PRODUCT_RE.test(symbol)) return null;
  return { symbol, channel: channel === 'market_trades' ? 'trade' : channel === 'ticker' ? 'quote' : channel };
}

function malformed(reason: string): ClientMessageResult {
  return { close: { code: 1008, reason: `malformed request: ${reason}`.slice(0, 120) } };
}

function onMessage(text: string, session: SessionView): ClientMessageResult {
  const req = jsonObject(text);
  if (!req) return malformed('not a JSON object');
  const type = req['type'];
  if (type !== 'subscribe' && type !== 'unsubscribe') return malformed('type must be subscribe or unsubscribe');
  const channel = req['channel'];
  if (typeof channel !== 'string') return malformed('channel must be a string');
  let streams: string[];
  if (channel === 'heartbeats') streams = ['heartbeats'];
  else {
    if (!PRODUCT_CHANNELS.has(channel)) return malformed(`unknown channel ${channel}`);
    const products = stringList(req['product_ids']);
    if (!products || !products.every((p) => PRODUCT_RE.test(p))) return malformed('product_ids must be a list of products like BTC-USD');
    streams = products.map((p) => `${channel}:${p}`);
  }
  const after = new Set(session.streams);
  for (const s of streams) if (type === 'subscribe') after.add(s);
  else after.delete(s);
  const reply = encodeCoinbaseSubscriptions(after, Date.now());
  return type === 'subscribe' ? { subscribe: streams, reply } : { unsubscribe: streams, reply };
}

function specFor(symbol: string): MarketSpec {
  return { ...defaultSpecFor(symbol), priceDecimals: 2, qtyDecimals: 8 }; // BTC-USD: quote_increment 0.01, base_increment 0.00000001
}

export const coinbase: VenueProtocol = {
  venue: 'coinbase',
  docsUrl: 'https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels',
  defaultSymbols: ['BTC-USD'],
  keepalive: { pingIntervalMs: null, pongTimeoutMs: null, connectionLifetimeMs: null, idleTimeoutMs: 75_000 },
  limits: { messagesPerSecond: null, maxStreams: null },
  specFor,
  accept(pathname: string): AcceptResult {
    if (pathname === '/' || pathname === '') return { ok: true, framing: 'json', streams: [] };
    return { ok: false, status: 404, message: `no such path ${pathname}; connect to / and send a subscribe message` };
  },
  onMessage,
  parseStream,
  tradeStream: (symbol) => `market_trades:${symbol}`,
  wirePrice: canon,
  wireQty: canon,
  encodeTrade: (trade) => encodeCoinbaseTrades([trade]),
  encodeTrades: encodeCoinbaseTrades,
  frame: (_framing, _stream, payload) => payload,
  encodeHostile(kind: HostileKind, base: SimTrade, _id: string, padding: string): string {
    const shape = { price: 'price', qty: 'size', id: 'trade_id', numeric: false, idNumeric: false, typeField: 'channel', unknownType: 'weird', time: 'time', timeForm: 'iso' as const };
    return hostileText(kind, encodeCoinbaseTrades([base]), shape, padding);
  },
  quoteChannel: 'quote',
  quoteStream: (symbol) => `ticker:${symbol}`,
  encodeQuote: encodeCoinbaseTicker,
  sequenced: true,
  heartbeat: {
    intervalMs: 1000,
    message: (session, nowMs) => (session.streams.has('heartbeats') ? encodeCoinbaseHeartbeat(nowMs, session.heartbeatsSent + 1, nowMs - startedAtMs) : null),
  },
  rest: {
    // https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/public/get-public-market-trades
    // GET /api/v3/brokerage/market/products/{product_id}/ticker?limit= -> {"trades":[..newest first],"best_bid","best_ask"}
    paths: ['/api/v3/brokerage/market/products/<product_id>/ticker'],
    parse(pathname, query, symbols) {
      const m = /^\/api\/v3\/brokerage\/market\/products\/([^/]+)\/ticker\/?$/.exec(pathname);
      if (!m) return null;
      const symbol = decodeURIComponent(m[1] as string);
      if (!symbols.includes(symbol)) return `unknown product ${symbol}`;
      const limit = limitParam(query, 'limit', 100, 1000);
      return limit === null ? 'limit must be 1..1000' : { symbol, limit };
    },
    encode(trades) {
      const list = [...trades].reverse().map((t) => `${coinbaseTradeObject(t).slice(0, -1)},"exchange":"coinbase"}`);
      const last = trades[trades.length - 1];
      const bid = last ? canon(last.priceUnits, last.priceDecimals) : '';
      const ask = last ? canon(last.priceUnits + 1, last.priceDecimals) : '';
      return `{"trades":[${list.join(',')}],"best_bid":"${bid}","best_ask":"${ask}"}`;
    },
  },
};
