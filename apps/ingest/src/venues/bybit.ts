import { isSymbol, parseJsonNumbersAsText, type Symbol } from '@feed/price-types';
import type { Classified, StreamKey, VenueAdapter } from './venue-adapter';

/**
 * Bybit v5 public WebSocket, spot (https://bybit-exchange.github.io/docs/v5/ws/connect):
 *  - endpoint <base>/v5/public/spot (production wss://stream.bybit.com/v5/public/spot);
 *  - subscribe: {"op":"subscribe","args":["publicTrade.BTCUSDT","orderbook.1.BTCUSDT"]}; "Spot can input up to 10
 *    args for each subscription request sent to one connection", so the args are sent in chunks of 10;
 *  - keepalive: "we recommend that you send the ping heartbeat packet every 20 seconds": rules.clientPing sends
 *    {"op":"ping"} every 20 s; the spot reply {"success":true,"ret_msg":"pong","conn_id":...,"op":"ping"} and the
 *    subscription reply {"success":true,"ret_msg":"subscribe",...,"op":"subscribe"} are control frames; a reply
 *    with "success":false is a refused request (control `request_error`);
 *  - trades `publicTrade.<symbol>` (https://bybit-exchange.github.io/docs/v5/websocket/public/trade): data[] of
 *    trades with `i` the trade id, a string that is not numeric in general (the documented example is a UUID):
 *    kept opaque. Msg id `trade:bybit:<symbol>:<i>` when the push holds exactly one trade;
 *  - best bid/ask `orderbook.1.<symbol>` (https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook):
 *    data {s, b, a, u, seq}; msg id `quote:bybit:<symbol>:<u>-<seq>`, the quote event's id (`u` alone restarts at 1
 *    when Bybit's book service restarts; see apps/normalizer/src/mappers/bybit.ts);
 *  - frames: a trade push may carry many trades (a third-party AsyncAPI description of the v5 API says up to 1024),
 *    so frames are bounded at 256 KiB rather than 64 KiB;
 *  - limits: no more than 500 connections per 5 minutes per IP (per WebSocket domain); no documented lifetime for
 *    public connections: we rotate every 24 h (our choice, configurable).
 * Symbol spelling BTCUSDT, canonical BTC-USDT (USDT is not USD).
 */

const QUOTES = ['USDT', 'USDC', 'USDE', 'EUR', 'BRL', 'BTC', 'ETH', 'DAI'];
const OTHER: Classified = { channel: 'other', symbol: '_' };
const ID = /^[A-Za-z0-9_.:-]{1,80}$/;
const INT_ID = /^\d{1,20}$/;
/** Bybit spot: at most 10 args per subscribe request. */
export const BYBIT_ARGS_PER_REQUEST = 10;

function canonical(s: string): Symbol | undefined {
  const up = s.toUpperCase();
  if (!/^[A-Z0-9]{4,20}$/.test(up)) return undefined;
  const q = QUOTES.find((x) => up.length > x.length && up.endsWith(x));
  const sym = q ? `${up.slice(0, -q.length)}-${q}` : undefined;
  return sym && isSymbol(sym) ? sym : undefined;
}

function topic(s: StreamKey): string {
  const sym = s.symbol.replace('-', '');
  return s.channel === 'trade' ? `publicTrade.${sym}` : `orderbook.1.${sym}`;
}

export const bybitAdapter: VenueAdapter = {
  venue: 'bybit',
  rules: { maxFrameBytes: 256 * 1024, connectionLifetimeMs: 24 * 3_600_000, connectionBudget: { max: 150, windowMs: 5 * 60_000 }, clientPing: { intervalMs: 20_000, message: '{"op":"ping"}' } },
  venueSymbol: (symbol) => symbol.replace('-', ''),
  url: (baseUrl) => `${baseUrl.replace(/\/+$/, '')}/v5/public/spot`,
  subscribeMessages(streams) {
    const topics = streams.map(topic);
    const out: string[] = [];
    for (let i = 0; i < topics.length; i += BYBIT_ARGS_PER_REQUEST) {
      out.push(JSON.stringify({ op: 'subscribe', args: topics.slice(i, i + BYBIT_ARGS_PER_REQUEST) }));
    }
    return out;
  },
  classify(text: string): Classified {
    let o: unknown;
    try {
      o = parseJsonNumbersAsText(text);
    } catch {
      return OTHER;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return OTHER;
    const d = o as Record<string, unknown>;
    const t = d['topic'];
    if (t === undefined) {
      const op = d['op'];
      if (typeof op !== 'string') return OTHER;
      if (d['success'] === false) return { ...OTHER, control: 'request_error' };
      if (op === 'ping' || op === 'pong') return { ...OTHER, control: 'pong' };
      if (op === 'subscribe' || op === 'unsubscribe') return { ...OTHER, control: 'subscription_ack' };
      return OTHER;
    }
    if (typeof t !== 'string') return OTHER;
    const m = /^(publicTrade|orderbook\.\d+)\.([A-Za-z0-9]{1,20})$/.exec(t);
    const sym = m ? canonical(m[2] as string) : undefined;
    if (!m || !sym) return OTHER;
    const data = d['data'];
    if (m[1] === 'publicTrade') {
      const c: Classified = { channel: 'trade', symbol: sym };
      if (Array.isArray(data) && data.length === 1) {
        const x: unknown = data[0];
        const i = typeof x === 'object' && x !== null ? (x as Record<string, unknown>)['i'] : undefined;
        if (typeof i === 'string' && ID.test(i)) c.msgId = `trade:bybit:${sym}:${i}`;
      }
      return c;
    }
    const c: Classified = { channel: 'quote', symbol: sym };
    if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
      const u = (data as Record<string, unknown>)['u'];
      const seq = (data as Record<string, unknown>)['seq'];
      if (typeof u === 'string' && INT_ID.test(u) && typeof seq === 'string' && INT_ID.test(seq)) c.msgId = `quote:bybit:${sym}:${u}-${seq}`;
    }
    return c;
  },
};
