import { isSymbol, parseJsonNumbersAsText, type Symbol } from '@feed/price-types';
import type { Classified, StreamKey, VenueAdapter } from './venue-adapter';

/**
 * Kraken spot WebSocket v2, wss://ws.kraken.com/v2.
 * Docs (read 2026): https://docs.kraken.com/api/docs/websocket-v2/trade
 *                   https://docs.kraken.com/api/docs/websocket-v2/ticker
 *                   https://docs.kraken.com/api/docs/websocket-v2/heartbeat
 *                   https://docs.kraken.com/api/docs/websocket-v2/status
 *  (the same pages now also live under https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/...)
 *  - subscribe: {"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":true}}; the trade
 *    snapshot (the most recent 50 trades, default off) is asked for so that a reconnect back-fills what the
 *    outage hid; those are real past trades and their ids dedupe downstream;
 *  - quotes: the `ticker` channel with "event_trigger":"bbo" ("on a change in the best-bid-offer price levels"),
 *    rather than the default "trades" (an update only when a trade happens), because a quote stream must follow the
 *    book, not the tape;
 *  - keepalive: "Heartbeat messages are sent approximately once every second in the absence of any other channel
 *    updates" and are "automatically generated on subscription to any channel": no client ping is needed. The
 *    heartbeat and status frames are control (counted, not published);
 *  - no documented connection lifetime: rotate daily anyway (make before break);
 *  - trade frames batch trades ("Multiple trades may be batched in a single message"); `trade_id` is "a sequence
 *    number, unique per book", so a frame holding exactly one trade gets the msg id `trade:kraken:<symbol>:<id>`.
 */

type Obj = Record<string, unknown>;

const OTHER: Classified = { channel: 'other', symbol: '_' };

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** "BTC/USD" -> "BTC-USD", or undefined when it is not BASE/QUOTE. */
export function krakenCanonical(venueSymbol: unknown): Symbol | undefined {
  if (typeof venueSymbol !== 'string') return undefined;
  const parts = venueSymbol.split('/');
  if (parts.length !== 2) return undefined;
  const s = `${parts[0] ?? ''}-${parts[1] ?? ''}`;
  return isSymbol(s) ? s : undefined;
}

/** The one symbol all data items share, or undefined. */
function soleSymbol(data: unknown[]): Symbol | undefined {
  const first = obj(data[0])?.['symbol'];
  const sym = krakenCanonical(first);
  if (!sym) return undefined;
  return data.every((x) => obj(x)?.['symbol'] === first) ? sym : undefined;
}

export const krakenAdapter: VenueAdapter = {
  venue: 'kraken',
  // A snapshot holds 50 trades (~170 bytes each); updates are smaller. 256 KiB leaves room for bursts.
  rules: { maxFrameBytes: 256 * 1024, connectionLifetimeMs: 24 * 3_600_000, connectionBudget: { max: 60, windowMs: 60_000 } },
  venueSymbol: (symbol) => symbol.replace('-', '/'),
  url: (baseUrl) => baseUrl.replace(/\/+$/, ''),
  subscribeMessages(streams: StreamKey[]): string[] {
    const pairs = (channel: StreamKey['channel']) => [...new Set(streams.filter((s) => s.channel === channel).map((s) => krakenAdapter.venueSymbol(s.symbol)))];
    const out: string[] = [];
    const trades = pairs('trade');
    const quotes = pairs('quote');
    if (trades.length > 0) out.push(JSON.stringify({ method: 'subscribe', params: { channel: 'trade', symbol: trades, snapshot: true } }));
    if (quotes.length > 0) out.push(JSON.stringify({ method: 'subscribe', params: { channel: 'ticker', symbol: quotes, event_trigger: 'bbo' } }));
    return out;
  },
  classify(text: string): Classified {
    let parsed: unknown;
    try {
      parsed = parseJsonNumbersAsText(text);
    } catch {
      return OTHER;
    }
    const d = obj(parsed);
    if (!d) return OTHER;
    if (typeof d['method'] === 'string') {
      // Acks of our requests: {"method":"subscribe","result":{...},"success":true,...}; a refusal carries success:false.
      if (d['method'] === 'pong') return { ...OTHER, control: 'pong' };
      return { ...OTHER, control: d['success'] === false ? 'request_error' : 'subscription_ack' };
    }
    const data = Array.isArray(d['data']) ? (d['data'] as unknown[]) : undefined;
    switch (d['channel']) {
      case 'trade': {
        const symbol = data ? soleSymbol(data) : undefined;
        if (!data || !symbol) return { channel: 'trade', symbol: '_' };
        const c: Classified = { channel: 'trade', symbol };
        const id = data.length === 1 ? obj(data[0])?.['trade_id'] : undefined;
        if (typeof id === 'string' && /^\d{1,20}$/.test(id)) c.msgId = `trade:kraken:${symbol}:${id}`;
        return c;
      }
      case 'ticker':
        return { channel: 'quote', symbol: (data && soleSymbol(data)) ?? '_' };
      case 'heartbeat':
        return { ...OTHER, control: 'heartbeat' };
      case 'status':
        return { ...OTHER, control: 'status' };
      default:
        return OTHER;
    }
  },
};
