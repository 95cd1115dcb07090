import { isSymbol, parseJsonNumbersAsText, type Symbol } from '@feed/price-types';
import type { Classified, StreamKey, VenueAdapter } from './venue-adapter';

/**
 * Coinbase Advanced Trade market data WebSocket, wss://advanced-trade-ws.coinbase.com.
 * Docs (read 2026): https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-overview
 *                   https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels
 *                   https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-rate-limits
 *  - one channel per subscribe message: {"type":"subscribe","product_ids":[...],"channel":"market_trades"}; public
 *    market-data channels need no JWT ("Most channels are now available without authentication");
 *  - "Most channels close within 60-90 seconds if no updates are sent. Subscribe to heartbeats to keep all
 *    subscriptions open": heartbeats ({"type":"subscribe","channel":"heartbeats"}, no product ids) are always
 *    subscribed. Heartbeat frames are control (counted, not published): they prove the socket, not the trade flow;
 *  - limits: 8 connections/s and 8 unauthenticated messages/s per IP. We send at most 3 messages per connection,
 *    right after open (the venue expects the subscription within a few seconds);
 *  - no documented connection lifetime: rotate daily anyway (make before break), so a stuck connection cannot live
 *    forever;
 *  - every message carries `sequence_num`, counted per connection over EVERY message (heartbeats included): a jump
 *    is a gap ("Sequence Numbers" in websocket-overview). `sequenceNumber()` reads it from every frame, control
 *    frames too, and the frame handler checks it per connection (sequence-checker.ts) before control frames are
 *    dropped; a jump is filed as a Gap event and repaired from REST by the normalizer.
 *
 * `market_trades` frames are batches ("collects all updates over the last 250 ms"), so a frame carries no single
 * id: only a frame holding exactly one trade gets a msg id (`trade:coinbase:<symbol>:<trade_id>`); other batches
 * are deduplicated downstream by the per-trade event ids.
 */

type Obj = Record<string, unknown>;

const OTHER: Classified = { channel: 'other', symbol: '_' };

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

/** Items of `events[].<key>[]`, flattened; undefined when the shape is not that. */
function items(d: Obj, key: string): Obj[] | undefined {
  const events = d['events'];
  if (!Array.isArray(events)) return undefined;
  const out: Obj[] = [];
  for (const e of events) {
    const list = obj(e)?.[key];
    if (!Array.isArray(list)) return undefined;
    for (const x of list) {
      const o = obj(x);
      if (!o) return undefined;
      out.push(o);
    }
  }
  return out;
}

/** The one product id all items share, or undefined (mixed, missing, or not a canonical symbol). */
function soleProduct(list: Obj[]): Symbol | undefined {
  const first = list[0]?.['product_id'];
  if (!isSymbol(first)) return undefined;
  return list.every((x) => x['product_id'] === first) ? first : undefined;
}

const TRADE_ID_RE = /^[A-Za-z0-9_.-]{1,80}$/;
/** Top-level `"sequence_num":<n>` (no nested object of these frames has that key), read without a JSON parse. */
const SEQ_RE = /"sequence_num"\s*:\s*(\d{1,15})[,}\s]/;

export const coinbaseAdapter: VenueAdapter = {
  venue: 'coinbase',
  // A 250 ms batch on a busy market can hold hundreds of trades (~150 bytes each); 1 MiB bounds it with room.
  rules: { maxFrameBytes: 1024 * 1024, connectionLifetimeMs: 24 * 3_600_000, connectionBudget: { max: 4, windowMs: 1_000 } },
  // Coinbase product ids are already BASE-QUOTE ("BTC-USD").
  venueSymbol: (symbol) => symbol,
  // One endpoint for all market data; the streams are chosen by subscribe messages.
  url: (baseUrl) => baseUrl.replace(/\/+$/, ''),
  subscribeMessages(streams: StreamKey[]): string[] {
    const ids = (channel: StreamKey['channel']) => [...new Set(streams.filter((s) => s.channel === channel).map((s) => s.symbol))];
    const out: string[] = [];
    const trades = ids('trade');
    const quotes = ids('quote');
    if (trades.length > 0) out.push(JSON.stringify({ type: 'subscribe', product_ids: trades, channel: 'market_trades' }));
    if (quotes.length > 0) out.push(JSON.stringify({ type: 'subscribe', product_ids: quotes, channel: 'ticker' }));
    out.push(JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }));
    return out;
  },
  sequenceNumber(text: string): number | undefined {
    const m = SEQ_RE.exec(text);
    return m ? Number(m[1]) : undefined;
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
    switch (d['channel']) {
      case 'market_trades': {
        const trades = items(d, 'trades');
        const symbol = trades ? soleProduct(trades) : undefined;
        if (!trades || !symbol) return { channel: 'trade', symbol: '_' };
        const c: Classified = { channel: 'trade', symbol };
        const id = trades.length === 1 ? trades[0]?.['trade_id'] : undefined;
        if (typeof id === 'string' && TRADE_ID_RE.test(id)) c.msgId = `trade:coinbase:${symbol}:${id}`;
        return c;
      }
      case 'ticker': {
        const tickers = items(d, 'tickers');
        const symbol = tickers ? soleProduct(tickers) : undefined;
        return { channel: 'quote', symbol: symbol ?? '_' };
      }
      case 'heartbeats':
        return { ...OTHER, control: 'heartbeat' };
      case 'subscriptions':
        return { ...OTHER, control: 'subscription_ack' };
      case undefined:
        // {"type":"error","message":"..."} (websocket-overview): counted by kind, so a refused subscription shows.
        return d['type'] === 'error' ? { ...OTHER, control: 'error' } : OTHER;
      default:
        return OTHER;
    }
  },
};
