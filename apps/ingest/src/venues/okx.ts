import { isSymbol, parseJsonNumbersAsText } from '@feed/price-types';
import type { Classified, StreamKey, VenueAdapter } from './venue-adapter';

/**
 * OKX API v5, public WebSocket (https://www.okx.com/docs-v5/en/#overview-websocket and the channel pages
 * #order-book-trading-market-data-ws-trades-channel, #order-book-trading-market-data-ws-order-book-channel):
 *  - endpoint <base>/ws/v5/public (production wss://ws.okx.com:8443/ws/v5/public);
 *  - subscribe: {"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"},{"channel":"bbo-tbt",...}]},
 *    all streams of a connection in one request (the documented bound is on the total length of args, 64 KB);
 *  - keepalive: the connection is closed when nothing is pushed for 30 s; the client sends the text "ping" and
 *    gets the text "pong". rules.clientPing sends "ping" every 20 s (below 30 s). "pong" is a control frame;
 *  - trades push {"arg":{"channel":"trades","instId"},"data":[{instId, tradeId, px, sz, side, ts, count, ...}]}.
 *    A push aggregates the fills of one taker order at one price (`count` fills, `tradeId` the last one). The msg
 *    id is `trade:okx:<symbol>:<tradeId>` when the push holds exactly one trade (one frame = one event);
 *  - best bid/ask: `bbo-tbt` (tick-by-tick top level); its `seqId` is identical across connections, so the msg id
 *    is `quote:okx:<symbol>:<seqId>`, the quote event's own id (decision 1);
 *  - replies {"event":"subscribe"|"unsubscribe"} are acks, {"event":"error"} a refused request: control frames.
 *    Other events (e.g. notices) go to RAW as `other`, where the normalizer counts them.
 *  - connection lifetime: no limit documented; we rotate every 24 h (our choice, configurable).
 * Instrument ids are already canonical for spot ("BTC-USDT"); USDT is not USD.
 */

const OTHER: Classified = { channel: 'other', symbol: '_' };
const ID = /^[A-Za-z0-9_.:-]{1,80}$/;
const INT_ID = /^\d{1,20}$/;

function arg(s: StreamKey): { channel: string; instId: string } {
  return { channel: s.channel === 'trade' ? 'trades' : 'bbo-tbt', instId: s.symbol };
}

function only(data: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(data) || data.length !== 1) return undefined;
  const x: unknown = data[0];
  return typeof x === 'object' && x !== null ? (x as Record<string, unknown>) : undefined;
}

export const okxAdapter: VenueAdapter = {
  venue: 'okx',
  rules: { maxFrameBytes: 64 * 1024, connectionLifetimeMs: 24 * 3_600_000, connectionBudget: { max: 1, windowMs: 1_000 }, clientPing: { intervalMs: 20_000, message: 'ping' } },
  venueSymbol: (symbol) => symbol,
  url: (baseUrl) => `${baseUrl.replace(/\/+$/, '')}/ws/v5/public`,
  subscribeMessages: (streams) => (streams.length === 0 ? [] : [JSON.stringify({ op: 'subscribe', args: streams.map(arg) })]),
  classify(text: string): Classified {
    if (text === 'pong') return { ...OTHER, control: 'pong' };
    let o: unknown;
    try {
      o = parseJsonNumbersAsText(text);
    } catch {
      return OTHER;
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return OTHER;
    const d = o as Record<string, unknown>;
    const event = d['event'];
    if (event === 'subscribe' || event === 'unsubscribe') return { ...OTHER, control: 'subscription_ack' };
    if (event === 'error') return { ...OTHER, control: 'request_error' };
    if (event !== undefined) return OTHER;
    const a = d['arg'];
    if (typeof a !== 'object' || a === null) return OTHER;
    const channel = (a as Record<string, unknown>)['channel'];
    const instId = (a as Record<string, unknown>)['instId'];
    if (!isSymbol(instId)) return OTHER;
    const one = only(d['data']);
    if (channel === 'trades') {
      const c: Classified = { channel: 'trade', symbol: instId };
      const id = one?.['tradeId'];
      if (typeof id === 'string' && ID.test(id)) c.msgId = `trade:okx:${instId}:${id}`;
      return c;
    }
    if (channel === 'bbo-tbt') {
      const c: Classified = { channel: 'quote', symbol: instId };
      const seq = one?.['seqId'];
      if (typeof seq === 'string' && INT_ID.test(seq)) c.msgId = `quote:okx:${instId}:${seq}`;
      return c;
    }
    return { channel: 'other', symbol: instId };
  },
};
