import { defaultSpecFor, type MarketSpec } from '../price-walk';
import type { HostileKind, SimTrade } from '../types';
import { bybitPrice, encodeBybitBook, encodeBybitRest, encodeBybitTrades } from './bybit-frames';
import { hostileText } from './hostile-text';
import type { AcceptResult, ClientMessageResult, SessionView, StreamTarget, VenueProtocol } from './venue-protocol';
import { canon, connIdText, jsonObject, limitParam, stringList } from './wire-text';

/**
 * Bybit v5 public spot WebSocket (wss://stream.bybit.com/v5/public/spot), as documented at
 * https://bybit-exchange.github.io/docs/v5/ws/connect :
 *  - {"req_id":"1","op":"subscribe","args":["publicTrade.BTCUSDT","orderbook.1.BTCUSDT"]} answered
 *    {"success":true,"ret_msg":"subscribe","conn_id":..,"req_id":"1","op":"subscribe"};
 *  - topics: publicTrade.<symbol> (trades), orderbook.1.<symbol> (best bid/ask); other orderbook depths,
 *    tickers.<symbol> and kline.<i>.<symbol> are accepted and carry nothing;
 *  - clients are advised to send {"req_id":..,"op":"ping"} every 20 s; the public-channel answer documented is
 *    {"success":true,"ret_msg":"pong","conn_id":..,"req_id":..,"op":"ping"} (private channels answer
 *    {"op":"pong",..}); "if there is no ping-pong and no stream data sent from server end, the connection
 *    will be cut off after 10 minutes": idleTimeoutMs defaults to 10 min.
 * Stream names are the topics. Malformed JSON closes the connection (1008); a bad topic is answered success:false.
 */
const SYM = '([A-Z0-9]{2,20})';
const TRADE_RE = new RegExp(`^publicTrade\\.${SYM}$`);
const BOOK1_RE = new RegExp(`^orderbook\\.1\\.${SYM}$`);
const OTHER_RE = new RegExp(`^(orderbook\\.(?:50|200|1000)|tickers|kline\\.[0-9A-Z]{1,3})\\.${SYM}$`);

function parseStream(stream: string): StreamTarget | null {
  let m = TRADE_RE.exec(stream);
  if (m) return { symbol: m[1] as string, channel: 'trade' };
  m = BOOK1_RE.exec(stream);
  if (m) return { symbol: m[1] as string, channel: 'quote' };
  m = OTHER_RE.exec(stream);
  return m ? { symbol: m[2] as string, channel: m[1] as string } : null;
}

export function bybitConnId(id: number | undefined): string {
  const h = connIdText(id, 12);
  return `00000000-0000-4000-8000-${h}`;
}

function onMessage(text: string, session: SessionView): ClientMessageResult {
  const req = jsonObject(text);
  if (!req) return { close: { code: 1008, reason: 'malformed request: not a JSON object' } };
  const reqId = typeof req['req_id'] === 'string' ? `"req_id":${JSON.stringify(req['req_id'])},` : '';
  const head = `"conn_id":"${bybitConnId(session.id)}",${reqId}`;
  const op = req['op'];
  if (op === 'ping') return { reply: `{"success":true,"ret_msg":"pong",${head}"op":"ping"}` };
  if (op !== 'subscribe' && op !== 'unsubscribe') return { reply: `{"success":false,"ret_msg":"Invalid op",${head}"op":${JSON.stringify(String(op))}}` };
  const topics = stringList(req['args'], 10);
  const bad = topics === null ? 'args must be a list of 1..10 topics' : topics.find((t) => parseStream(t) === null);
  if (topics === null || bad !== undefined) return { reply: `{"success":false,"ret_msg":${JSON.stringify(`error:handler not found,topic:${String(bad)}`)},${head}"op":"${op}"}` };
  const reply = `{"success":true,"ret_msg":"${op}",${head}"op":"${op}"}`;
  return op === 'subscribe' ? { subscribe: topics, reply } : { unsubscribe: topics, reply };
}

function specFor(symbol: string): MarketSpec {
  // BTCUSDT spot: tickSize 0.01, basePrecision 0.000001
  return { ...defaultSpecFor(symbol), priceDecimals: 2, qtyDecimals: 6, qtyStepUnits: 1, maxQtyUnits: 500_000 };
}

export const bybit: VenueProtocol = {
  venue: 'bybit',
  docsUrl: 'https://bybit-exchange.github.io/docs/v5/websocket/public/trade',
  defaultSymbols: ['BTCUSDT'],
  keepalive: { pingIntervalMs: null, pongTimeoutMs: null, connectionLifetimeMs: null, idleTimeoutMs: 600_000 },
  limits: { messagesPerSecond: null, maxStreams: null },
  specFor,
  accept(pathname: string): AcceptResult {
    if (pathname === '/v5/public/spot' || pathname === '/') return { ok: true, framing: 'json', streams: [] };
    return { ok: false, status: 404, message: `no such path ${pathname}; use /v5/public/spot` };
  },
  onMessage,
  parseStream,
  tradeStream: (symbol) => `publicTrade.${symbol}`,
  wirePrice: bybitPrice,
  wireQty: canon,
  encodeTrade: (trade) => encodeBybitTrades([trade]),
  encodeTrades: encodeBybitTrades,
  frame: (_framing, _stream, payload) => payload,
  encodeHostile(kind: HostileKind, base: SimTrade, _id: string, padding: string): string {
    const shape = { price: 'p', qty: 'v', id: 'i', numeric: false, idNumeric: false, typeField: 'topic', unknownType: `weird.${base.symbol}`, time: 'T', timeForm: 'ms' as const };
    return hostileText(kind, encodeBybitTrades([base]), shape, padding);
  },
  quoteChannel: 'quote',
  quoteStream: (symbol) => `orderbook.1.${symbol}`,
  quoteUpdateIds: true,
  encodeQuote: encodeBybitBook,
  rest: {
    paths: ['/v5/market/recent-trade?category=spot&symbol=<symbol>&limit='],
    parse(pathname, query, symbols) {
      if (pathname !== '/v5/market/recent-trade') return null;
      if (query.get('category') !== 'spot') return 'category must be spot';
      const symbol = query.get('symbol') ?? '';
      if (!symbols.includes(symbol)) return `Not supported symbols: ${symbol}`;
      const limit = limitParam(query, 'limit', 60, 60);
      return limit === null ? 'limit must be 1..60 for spot' : { symbol, limit };
    },
    encode: (trades, _request, nowMs) => encodeBybitRest(trades, nowMs),
  },
};
