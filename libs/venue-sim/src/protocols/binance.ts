import { defaultSpecFor, type MarketSpec } from '../price-walk';
import type { HostileKind, SimTrade } from '../types';
import { binanceRest, encodeBinanceBookTicker } from './binance-extras';
import { binanceDecimal, encodeBinanceHostile, encodeBinanceTrade } from './binance-frames';
import type {
  AcceptResult,
  ClientMessageResult,
  SessionView,
  StreamTarget,
  VenueProtocol,
} from './venue-protocol';

/**
 * Binance spot market streams, as documented at
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams :
 *  - raw streams at /ws/<streamName>, combined streams at /stream?streams=<s1>/<s2>; combined events are
 *    wrapped {"stream":"<streamName>","data":<rawPayload>}; stream names are lower case ("btcusdt@trade");
 *  - live SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS requests {"method":..,"params":[..],"id":..}
 *    answered {"result":null,"id":..}; id is a 64-bit integer, an alphanumeric string of up to 36, or null;
 *  - the server pings every 20 s and disconnects a connection that has not ponged within a minute;
 *    unsolicited pongs do not prevent disconnection; a connection lives 24 h;
 *  - 5 incoming messages per second and 1024 streams per connection;
 *  - best bid/ask from <symbol>@bookTicker and REST recent trades: see binance-extras.ts.
 * Deviation (by design of the simulator): a malformed or unknown request closes the connection (1008)
 * instead of returning an error object, so that a client bug cannot go unnoticed in tests.
 */
const STREAM_RE = /^([a-z0-9]{2,20})@([a-zA-Z0-9_@]{1,40})$/;
const STRING_ID_RE = /^[A-Za-z0-9]{1,36}$/;

const LIMITS = { messagesPerSecond: 5, maxStreams: 1024 } as const;

export const COMBINED = 'combined';
export const RAW = 'raw';

function parseStream(stream: string): StreamTarget | null {
  const m = STREAM_RE.exec(stream);
  if (!m) return null;
  return { symbol: (m[1] as string).toUpperCase(), channel: m[2] as string };
}

function malformed(reason: string): ClientMessageResult {
  return { close: { code: 1008, reason: `malformed request: ${reason}`.slice(0, 120) } };
}

/** The id as JSON text to echo, or null when invalid. Integer ids are echoed from the client's own digits. */
function idText(message: string, id: unknown): string | null {
  if (id === null) return 'null';
  if (typeof id === 'string') return STRING_ID_RE.test(id) ? JSON.stringify(id) : null;
  if (typeof id === 'number' && Number.isInteger(id)) {
    const m = /"id"\s*:\s*(-?\d{1,19})\s*[,}]/.exec(message);
    return m ? (m[1] as string) : String(id);
  }
  return null;
}

function validStreams(params: unknown): string[] | null {
  if (!Array.isArray(params) || params.length === 0) return null;
  for (const p of params) if (typeof p !== 'string' || parseStream(p) === null) return null;
  return params as string[];
}

function splitStreams(text: string): string[] | null {
  if (text === '') return [];
  const streams = text.split('/');
  return streams.every((s) => parseStream(s) !== null) ? streams : null;
}

export const binance: VenueProtocol = {
  venue: 'binance',
  docsUrl: 'https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams',
  defaultSymbols: ['BTCUSDT'],
  keepalive: { pingIntervalMs: 20_000, pongTimeoutMs: 60_000, connectionLifetimeMs: 24 * 3600_000 },
  limits: LIMITS,

  specFor(symbol: string): MarketSpec {
    return defaultSpecFor(symbol);
  },

  accept(pathname: string, query: URLSearchParams): AcceptResult {
    let framing: string;
    let streams: string[] | null;
    if (pathname === '/ws' || pathname === '/ws/') {
      framing = RAW;
      streams = [];
    } else if (pathname.startsWith('/ws/')) {
      framing = RAW;
      streams = splitStreams(decodeURIComponent(pathname.slice(4)));
    } else if (pathname === '/stream' || pathname === '/stream/') {
      framing = COMBINED;
      streams = splitStreams(query.get('streams') ?? '');
    } else {
      return { ok: false, status: 404, message: `no such path ${pathname}; use /ws/<stream> or /stream?streams=` };
    }
    if (streams === null) return { ok: false, status: 400, message: 'invalid stream name' };
    const max = LIMITS.maxStreams;
    if (streams.length > max) return { ok: false, status: 400, message: `more than ${max} streams` };
    return { ok: true, framing, streams };
  },

  onMessage(text: string, session: SessionView): ClientMessageResult {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return malformed('not JSON');
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return malformed('not an object');
    const req = msg as Record<string, unknown>;
    if (!('id' in req)) return malformed('missing id');
    const id = idText(text, req['id']);
    if (id === null) return malformed('invalid id');
    switch (req['method']) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        const streams = validStreams(req['params']);
        if (streams === null) return malformed('params must be a non-empty list of stream names');
        const reply = `{"result":null,"id":${id}}`;
        return req['method'] === 'SUBSCRIBE' ? { subscribe: streams, reply } : { unsubscribe: streams, reply };
      }
      case 'LIST_SUBSCRIPTIONS':
        return { reply: `{"result":${JSON.stringify([...session.streams])},"id":${id}}` };
      default:
        return malformed('unknown method');
    }
  },

  parseStream,

  tradeStream(symbol: string): string {
    return `${symbol.toLowerCase()}@trade`;
  },

  wirePrice: binanceDecimal,
  wireQty: binanceDecimal,

  encodeTrade(trade: SimTrade): string {
    return encodeBinanceTrade(trade);
  },

  frame(framing: string, stream: string, payload: string): string {
    return framing === COMBINED ? `{"stream":"${stream}","data":${payload}}` : payload;
  },

  encodeHostile(kind: HostileKind, base: SimTrade, hostileId: string, padding: string): string {
    return encodeBinanceHostile(kind, base, hostileId, padding);
  },

  quoteChannel: 'bookTicker',
  quoteStream: (symbol) => `${symbol.toLowerCase()}@bookTicker`,
  quoteUpdateIds: true,
  encodeQuote: encodeBinanceBookTicker,
  rest: binanceRest,
};
