import { defaultSpecFor, type MarketSpec } from '../price-walk';
import type { HostileKind, SimTrade } from '../types';
import { hostileText } from './hostile-text';
import { encodeKrakenRest, encodeKrakenTicker, encodeKrakenTrades, krakenPairKey } from './kraken-frames';
import type { AcceptResult, ClientMessageResult, SessionView, StreamTarget, VenueProtocol } from './venue-protocol';
import { canon, echoId, isoMicros, jsonObject, limitParam, stringList } from './wire-text';

/**
 * Kraken spot WebSocket v2 (wss://ws.kraken.com/v2), as documented at
 * https://docs.kraken.com/api/docs/websocket-v2/trade (and /ticker, /heartbeat, /ping, /status):
 *  - {"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":1}, acknowledged per
 *    symbol {"method":"subscribe","result":{"channel":"trade","snapshot":..,"symbol":"BTC/USD"},"success":true,
 *    "time_in":..,"time_out":..,"req_id":1}; "ticker" gives best bid/ask; others (book, ohlc, instrument) carry nothing;
 *  - {"method":"ping","req_id":n} is answered {"method":"pong","req_id":n,"time_in":..,"time_out":..};
 *  - {"channel":"heartbeat"} about once a second when nothing else was sent; a status message on connect.
 * Stream names are "<channel>:<symbol>". Malformed JSON closes the connection (1008); an unknown channel is
 * answered with success:false. Not simulated: trade snapshots (subscribe acks report the requested flag).
 */
const SYMBOL_RE = /^[A-Z0-9]{2,10}\/[A-Z0-9]{2,10}$/;
const CHANNELS = new Set(['trade', 'ticker', 'book', 'ohlc', 'instrument', 'level3']);

function parseStream(stream: string): StreamTarget | null {
  const i = stream.indexOf(':');
  const channel = stream.slice(0, i);
  const symbol = stream.slice(i + 1);
  if (i < 0 || !CHANNELS.has(channel) || !SYMBOL_RE.test(symbol)) return null;
  return { symbol, channel: channel === 'ticker' ? 'quote' : channel };
}

function onMessage(text: string, _session: SessionView): ClientMessageResult {
  const req = jsonObject(text);
  if (!req) return { close: { code: 1008, reason: 'malformed request: not a JSON object' } };
  const now = isoMicros(Date.now());
  const reqId = 'req_id' in req ? echoId(text, 'req_id', req['req_id']) : null;
  const tail = `"time_in":"${now}","time_out":"${now}"${reqId === null ? '' : `,"req_id":${reqId}`}}`;
  const method = req['method'];
  if (method === 'ping') return { reply: `{"method":"pong",${tail}` };
  if (method !== 'subscribe' && method !== 'unsubscribe') return { reply: `{"error":"Method not found","method":${JSON.stringify(String(method))},"success":false,${tail}` };
  const params = typeof req['params'] === 'object' && req['params'] !== null ? (req['params'] as Record<string, unknown>) : {};
  const channel = params['channel'];
  const symbols = stringList(params['symbol']);
  if (typeof channel !== 'string' || !CHANNELS.has(channel) || !symbols || !symbols.every((s) => SYMBOL_RE.test(s))) {
    return { reply: `{"error":"Channel or symbol not valid","method":"${method}","success":false,${tail}` };
  }
  const snapshot = params['snapshot'] === true;
  const replies = symbols.map((s) => `{"method":"${method}","result":{"channel":"${channel}",${method === 'subscribe' ? `"snapshot":${snapshot},` : ''}"symbol":"${s}"},"success":true,${tail}`);
  const streams = symbols.map((s) => `${channel}:${s}`);
  return method === 'subscribe' ? { subscribe: streams, replies } : { unsubscribe: streams, replies };
}

function specFor(symbol: string): MarketSpec {
  return { ...defaultSpecFor(symbol), priceDecimals: 1, qtyDecimals: 8 }; // BTC/USD: price tick 0.1, lot 0.00000001
}

/** The market a REST `pair` names: BTC/USD, BTCUSD, XBTUSD or XXBTZUSD. */
function pairSymbol(pair: string, symbols: readonly string[]): string | undefined {
  return symbols.find((s) => [s, s.replace('/', ''), s.replace('/', '').replace(/^BTC/, 'XBT'), krakenPairKey(s)].includes(pair));
}

export const kraken: VenueProtocol = {
  venue: 'kraken',
  docsUrl: 'https://docs.kraken.com/api/docs/websocket-v2/trade',
  defaultSymbols: ['BTC/USD'],
  keepalive: { pingIntervalMs: null, pongTimeoutMs: null, connectionLifetimeMs: null, idleTimeoutMs: null },
  limits: { messagesPerSecond: null, maxStreams: null },
  specFor,
  accept(pathname: string): AcceptResult {
    if (pathname === '/v2' || pathname === '/v2/' || pathname === '/') return { ok: true, framing: 'json', streams: [] };
    return { ok: false, status: 404, message: `no such path ${pathname}; use /v2` };
  },
  onMessage,
  parseStream,
  tradeStream: (symbol) => `trade:${symbol}`,
  wirePrice: canon,
  wireQty: canon,
  encodeTrade: (trade) => encodeKrakenTrades([trade]),
  encodeTrades: encodeKrakenTrades,
  frame: (_framing, _stream, payload) => payload,
  encodeHostile(kind: HostileKind, base: SimTrade, _id: string, padding: string): string {
    const shape = { price: 'price', qty: 'qty', id: 'trade_id', numeric: true, idNumeric: true, typeField: 'channel', unknownType: 'weird', time: 'timestamp', timeForm: 'iso' as const };
    return hostileText(kind, encodeKrakenTrades([base]), shape, padding);
  },
  quoteChannel: 'quote',
  quoteStream: (symbol) => `ticker:${symbol}`,
  encodeQuote: encodeKrakenTicker,
  heartbeat: {
    intervalMs: 1000,
    // "heartbeat ... sent approximately once per second in the absence of any other channel updates"
    message: (session, nowMs, intervalMs) => (nowMs - session.lastSentMs >= intervalMs * 0.9 ? '{"channel":"heartbeat"}' : null),
  },
  welcome: (session) => [`{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2","connection_id":${session.id}}]}`],
  rest: {
    // https://docs.kraken.com/api/docs/rest-api/get-recent-trades
    paths: ['/0/public/Trades?pair=<pair>&count='],
    parse(pathname, query, symbols) {
      if (pathname !== '/0/public/Trades') return null;
      const symbol = pairSymbol(query.get('pair') ?? '', symbols);
      if (symbol === undefined) return 'EQuery:Unknown asset pair';
      const limit = limitParam(query, 'count', 1000, 1000);
      return limit === null ? 'EGeneral:Invalid arguments:count' : { symbol, limit };
    },
    encode: (trades, request) => encodeKrakenRest(trades, request.symbol),
  },
};
