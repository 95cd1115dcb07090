import { defaultSpecFor, type MarketSpec } from '../price-walk';
import type { HostileKind, SimTrade } from '../types';
import { hostileText } from './hostile-text';
import { encodeOkxBbo, encodeOkxRest, encodeOkxTrades } from './okx-frames';
import type { AcceptResult, ClientMessageResult, SessionView, StreamTarget, VenueProtocol } from './venue-protocol';
import { canon, connIdText, echoId, jsonObject, limitParam } from './wire-text';

/**
 * OKX API v5 public WebSocket (wss://ws.okx.com:8443/ws/v5/public), as documented at
 * https://www.okx.com/docs-v5/en/#overview-websocket :
 *  - {"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}],"id":"1"} answered per arg
 *    {"id":"1","event":"subscribe","arg":{"channel":"trades","instId":"BTC-USDT"},"connId":"a4d3ae55"};
 *  - channels: trades, bbo-tbt (best bid/ask); tickers, books, books5 are accepted and carry nothing;
 *  - "The connection will break automatically if the subscription is not established or data has not been
 *    pushed for more than 30 seconds": clients send the text "ping" (answered "pong") when idle for less than
 *    30 s; here a connection sent nothing for idleTimeoutMs (default 30 s) is closed;
 *  - a bad request is answered {"event":"error","code":"60012","msg":"Invalid request: ..","connId":..}.
 * Stream names are "<channel>:<instId>".
 */
const INST_RE = /^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/;
const CHANNELS = new Set(['trades', 'bbo-tbt', 'tickers', 'books', 'books5', 'trades-all']);

function parseStream(stream: string): StreamTarget | null {
  const i = stream.indexOf(':');
  const channel = stream.slice(0, i);
  const symbol = stream.slice(i + 1);
  if (i < 0 || !CHANNELS.has(channel) || !INST_RE.test(symbol)) return null;
  return { symbol, channel: channel === 'trades' ? 'trade' : channel === 'bbo-tbt' ? 'quote' : channel };
}

function onMessage(text: string, session: SessionView): ClientMessageResult {
  const connId = connIdText(session.id, 8);
  if (text === 'ping') return { reply: 'pong' };
  const error = (msg: string): ClientMessageResult => ({ reply: `{"event":"error","code":"60012","msg":${JSON.stringify(`Invalid request: ${msg}`.slice(0, 200))},"connId":"${connId}"}` });
  const req = jsonObject(text);
  if (!req) return error(text);
  const op = req['op'];
  if (op !== 'subscribe' && op !== 'unsubscribe') return error(`unknown op ${String(op)}`);
  const args = req['args'];
  if (!Array.isArray(args) || args.length === 0) return error('args must be a non-empty list');
  const streams: string[] = [];
  const replies: string[] = [];
  const id = 'id' in req ? echoId(text, 'id', req['id']) : null;
  for (const a of args as unknown[]) {
    const arg = typeof a === 'object' && a !== null ? (a as Record<string, unknown>) : {};
    const stream = `${String(arg['channel'])}:${String(arg['instId'])}`;
    if (parseStream(stream) === null) return error(`bad arg ${JSON.stringify(a)}`);
    streams.push(stream);
    replies.push(`{${id === null ? '' : `"id":${id},`}"event":"${op}","arg":{"channel":"${String(arg['channel'])}","instId":"${String(arg['instId'])}"},"connId":"${connId}"}`);
  }
  return op === 'subscribe' ? { subscribe: streams, replies } : { unsubscribe: streams, replies };
}

function specFor(symbol: string): MarketSpec {
  return { ...defaultSpecFor(symbol), priceDecimals: 1, qtyDecimals: 8 }; // BTC-USDT: tickSz 0.1, lotSz 0.00000001
}

export const okx: VenueProtocol = {
  venue: 'okx',
  docsUrl: 'https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-trades-channel',
  defaultSymbols: ['BTC-USDT'],
  keepalive: { pingIntervalMs: null, pongTimeoutMs: null, connectionLifetimeMs: null, idleTimeoutMs: 30_000 },
  limits: { messagesPerSecond: null, maxStreams: null },
  specFor,
  accept(pathname: string): AcceptResult {
    if (pathname === '/ws/v5/public' || pathname === '/') return { ok: true, framing: 'json', streams: [] };
    return { ok: false, status: 404, message: `no such path ${pathname}; use /ws/v5/public` };
  },
  onMessage,
  parseStream,
  tradeStream: (symbol) => `trades:${symbol}`,
  wirePrice: canon,
  wireQty: canon,
  encodeTrade: (trade) => encodeOkxTrades([trade]),
  encodeTrades: encodeOkxTrades,
  frame: (_framing, _stream, payload) => payload,
  encodeHostile(kind: HostileKind, base: SimTrade, _id: string, padding: string): string {
    const shape = { price: 'px', qty: 'sz', id: 'tradeId', numeric: false, idNumeric: false, typeField: 'channel', unknownType: 'weird', time: 'ts', timeForm: 'ms_text' as const };
    return hostileText(kind, encodeOkxTrades([base]), shape, padding);
  },
  quoteChannel: 'quote',
  quoteStream: (symbol) => `bbo-tbt:${symbol}`,
  quoteUpdateIds: true,
  encodeQuote: encodeOkxBbo,
  rest: {
    paths: ['/api/v5/market/trades?instId=<instId>&limit='],
    parse(pathname, query, symbols) {
      if (pathname !== '/api/v5/market/trades') return null;
      const symbol = query.get('instId') ?? '';
      if (!symbols.includes(symbol)) return `51001: Instrument ID does not exist: ${symbol}`;
      const limit = limitParam(query, 'limit', 100, 500);
      return limit === null ? '51000: Parameter limit error' : { symbol, limit };
    },
    encode: (trades) => encodeOkxRest(trades),
  },
};
