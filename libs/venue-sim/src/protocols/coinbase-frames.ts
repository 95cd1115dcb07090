import type { SimQuote } from '../quote-types';
import type { SimTrade } from '../types';
import { SEQ_MARK } from './venue-protocol';
import { canon, isoMs } from './wire-text';

/**
 * Coinbase Advanced Trade market data messages, written as text. Documentation:
 *   https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels
 *   https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/websocket/market-trades
 * Every message: {"channel":..,"client_id":"","timestamp":"<RFC3339>","sequence_num":<n>,"events":[..]};
 * sequence_num counts every message on the connection (subscriptions acks and heartbeats included).
 * market_trades: {"type":"update","trades":[{"trade_id","product_id","price","size","side","time"}]}, several
 * trades per message ("updates are collected over the last 250 ms and sent together").
 * side is the MAKER order's side: Coinbase documents `side` of public trades as "the maker order side"
 * (https://docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products/get-product-trades: "A buy side
 * indicates a down-tick because the maker was a buy order"); the Advanced Trade pages do not restate it and
 * third-party clients (e.g. NautilusTrader: "Coinbase reports the maker side on public market trades") agree.
 * So a trade whose buyer was the maker carries "BUY", i.e. the taker SOLD.
 */
export function coinbaseEnvelope(channel: string, timestamp: string, events: string): string {
  return `{"channel":"${channel}","client_id":"","timestamp":"${timestamp}","sequence_num":${SEQ_MARK},"events":${events}}`;
}

export function makerSide(t: SimTrade): 'BUY' | 'SELL' {
  return t.buyerIsMaker ? 'BUY' : 'SELL';
}

export function coinbaseTradeObject(t: SimTrade): string {
  return (
    `{"trade_id":"${t.tradeId}","product_id":"${t.symbol}","price":"${canon(t.priceUnits, t.priceDecimals)}",` +
    `"size":"${canon(t.qtyUnits, t.qtyDecimals)}","side":"${makerSide(t)}","time":"${isoMs(t.tradeTimeMs)}"}`
  );
}

export function encodeCoinbaseTrades(trades: readonly SimTrade[]): string {
  const last = trades[trades.length - 1] as SimTrade;
  return coinbaseEnvelope('market_trades', isoMs(last.eventTimeMs), `[{"type":"update","trades":[${trades.map(coinbaseTradeObject).join(',')}]}]`);
}

/**
 * ticker channel: {"type":"update","tickers":[{"type":"ticker","product_id","price","volume_24_h",...,
 * "best_bid","best_bid_quantity","best_ask","best_ask_quantity"}]}. The 24 h statistics are not simulated:
 * they repeat the last price (volume "0").
 */
export function encodeCoinbaseTicker(q: SimQuote): string {
  const p = (u: number): string => canon(u, q.priceDecimals);
  const last = p(q.lastUnits);
  const ticker =
    `{"type":"ticker","product_id":"${q.symbol}","price":"${last}","volume_24_h":"0","low_24_h":"${last}","high_24_h":"${last}",` +
    `"low_52_w":"${last}","high_52_w":"${last}","price_percent_chg_24_h":"0",` +
    `"best_bid":"${p(q.bidUnits)}","best_bid_quantity":"${canon(q.bidQtyUnits, q.qtyDecimals)}",` +
    `"best_ask":"${p(q.askUnits)}","best_ask_quantity":"${canon(q.askQtyUnits, q.qtyDecimals)}"}`;
  return coinbaseEnvelope('ticker', isoMs(q.timeMs), `[{"type":"update","tickers":[${ticker}]}]`);
}

/** heartbeats channel: {"current_time":"2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105","heartbeat_counter":"3049"}. */
export function encodeCoinbaseHeartbeat(nowMs: number, counter: number, uptimeMs: number): string {
  const iso = isoMs(nowMs);
  const goTime = `${iso.slice(0, 10)} ${iso.slice(11, 23)}000000 +0000 UTC m=+${(uptimeMs / 1000).toFixed(9)}`;
  return coinbaseEnvelope('heartbeats', iso, `[{"current_time":"${goTime}","heartbeat_counter":"${counter}"}]`);
}

/** subscriptions channel: {"subscriptions":{"market_trades":["BTC-USD"],"heartbeats":["heartbeats"]}}. */
export function encodeCoinbaseSubscriptions(streams: Iterable<string>, nowMs: number): string {
  const byChannel = new Map<string, string[]>();
  for (const s of streams) {
    const [channel, product] = s.split(':') as [string, string | undefined];
    const list = byChannel.get(channel) ?? [];
    list.push(product ?? channel);
    byChannel.set(channel, list);
  }
  const subs = [...byChannel].map(([c, l]) => `"${c}":${JSON.stringify(l)}`).join(',');
  return coinbaseEnvelope('subscriptions', isoMs(nowMs), `[{"subscriptions":{${subs}}}]`);
}
