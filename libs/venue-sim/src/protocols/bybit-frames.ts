import type { SimQuote } from '../quote-types';
import type { SimTrade } from '../types';
import { canon, fixed } from './wire-text';

/**
 * Bybit v5 public spot messages, written as text (https://bybit-exchange.github.io/docs/v5/websocket/public/trade):
 *   {"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,
 *    "s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}]}
 * S is the TAKER side ("Side of taker. Buy, Sell"); i, the trade id, is a string and not numeric in general
 * (UUIDs on derivatives; digit strings here). "L" (direction of price change) is documented as "unique field
 * for future", so spot frames leave it out. Prices carry the symbol's 2 decimals ("16578.50"); sizes as traded.
 * Best bid/ask: orderbook.1 (https://bybit-exchange.github.io/docs/v5/websocket/public/orderbook), always a snapshot:
 *   {"topic":"orderbook.1.BTCUSDT","type":"snapshot","ts":..,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],
 *    "a":[["16611.00","0.029"]],"u":18521288,"seq":7961638724},"cts":..}
 */
export function takerSide(t: SimTrade): 'Buy' | 'Sell' {
  return t.buyerIsMaker ? 'Sell' : 'Buy';
}

export function bybitPrice(units: number, decimals: number): string {
  return fixed(units, decimals, decimals);
}

function tradeObject(t: SimTrade): string {
  return `{"T":${t.tradeTimeMs},"s":"${t.symbol}","S":"${takerSide(t)}","v":"${canon(t.qtyUnits, t.qtyDecimals)}","p":"${bybitPrice(t.priceUnits, t.priceDecimals)}","i":"${t.tradeId}","BT":false}`;
}

export function encodeBybitTrades(trades: readonly SimTrade[]): string {
  const last = trades[trades.length - 1] as SimTrade;
  return `{"topic":"publicTrade.${last.symbol}","type":"snapshot","ts":${last.eventTimeMs},"data":[${trades.map(tradeObject).join(',')}]}`;
}

export function encodeBybitBook(q: SimQuote): string {
  const level = (p: number, s: number): string => `[["${bybitPrice(p, q.priceDecimals)}","${canon(s, q.qtyDecimals)}"]]`;
  const seq = BigInt(q.updateId) * 3n; // the cross sequence advances faster than the book's own update id
  return (
    `{"topic":"orderbook.1.${q.symbol}","type":"snapshot","ts":${q.timeMs},"data":{"s":"${q.symbol}","b":${level(q.bidUnits, q.bidQtyUnits)},` +
    `"a":${level(q.askUnits, q.askQtyUnits)},"u":${q.updateId},"seq":${seq}},"cts":${q.timeMs}}`
  );
}

/**
 * GET /v5/market/recent-trade?category=spot&symbol=BTCUSDT&limit= (https://bybit-exchange.github.io/docs/v5/market/recent-trade):
 * {"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[{"execId","symbol","price","size","side","time",
 * "isBlockTrade"}]},"retExtInfo":{},"time":..}, newest first; spot limit 1..60, default 60.
 */
export function encodeBybitRest(trades: readonly SimTrade[], nowMs: number): string {
  const list = [...trades].reverse().map(
    (t) =>
      `{"execId":"${t.tradeId}","symbol":"${t.symbol}","price":"${bybitPrice(t.priceUnits, t.priceDecimals)}","size":"${canon(t.qtyUnits, t.qtyDecimals)}",` +
      `"side":"${takerSide(t)}","time":"${t.tradeTimeMs}","isBlockTrade":false}`,
  );
  return `{"retCode":0,"retMsg":"OK","result":{"category":"spot","list":[${list.join(',')}]},"retExtInfo":{},"time":${nowMs}}`;
}
