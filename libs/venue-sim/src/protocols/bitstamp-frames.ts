import type { SimQuote } from '../quote-types';
import type { SimTrade } from '../types';
import { canon, fixed, micros } from './wire-text';

/**
 * Bitstamp WebSocket API v2 messages, written as text (https://www.bitstamp.net/websocket/v2/):
 *   {"data":{"id":..,"timestamp":"<s>","amount":<number>,"amount_str":"<8 dp>","price":<number>,"price_str":"..",
 *    "type":<0 buy|1 sell>,"microtimestamp":"<us>","buy_order_id":..,"sell_order_id":..},
 *    "channel":"live_trades_btcusd","event":"trade"}
 * `type` is the taker side ("0 - buy; 1 - sell": the order that took liquidity).
 * Quotes come from `order_book_<pair>` ("top 100 bids and asks", here the top 5 levels):
 *   {"data":{"timestamp":"<s>","microtimestamp":"<us>","bids":[["<price>","<amount>"],..],"asks":[..]},
 *    "channel":"order_book_btcusd","event":"data"}; best bid/ask = the first level of each side. Bitstamp
 * gives no update id there (quotes are recorded without one).
 */
const AMOUNT_DECIMALS = 8;

export function bitstampType(t: SimTrade): 0 | 1 {
  return t.buyerIsMaker ? 1 : 0;
}

export function bitstampPrice(units: number, decimals: number): string {
  return fixed(units, decimals, decimals);
}

export function bitstampAmount(units: number, decimals: number): string {
  return fixed(units, decimals, AMOUNT_DECIMALS);
}

/** Order ids: two per trade, distinct and deterministic (Bitstamp's are 64-bit integers). */
function orderIds(t: SimTrade): [string, string] {
  const base = 1_600_000_000_000_000n + BigInt(t.seq) * 2n;
  return [base.toString(), (base + 1n).toString()];
}

export function encodeBitstampTrade(t: SimTrade): string {
  const [buy, sell] = orderIds(t);
  return (
    `{"data":{"id":${t.tradeId},"timestamp":"${Math.floor(t.tradeTimeMs / 1000)}","amount":${canon(t.qtyUnits, t.qtyDecimals)},` +
    `"amount_str":"${bitstampAmount(t.qtyUnits, t.qtyDecimals)}","price":${canon(t.priceUnits, t.priceDecimals)},` +
    `"price_str":"${bitstampPrice(t.priceUnits, t.priceDecimals)}","type":${bitstampType(t)},"microtimestamp":"${micros(t.tradeTimeMs)}",` +
    `"buy_order_id":${buy},"sell_order_id":${sell}},"channel":"live_trades_${t.symbol}","event":"trade"}`
  );
}

export function encodeBitstampBook(q: SimQuote): string {
  const level = (price: number, qty: number): string => `["${bitstampPrice(price, q.priceDecimals)}","${bitstampAmount(qty, q.qtyDecimals)}"]`;
  const bids: string[] = [];
  const asks: string[] = [];
  for (let i = 0; i < 5; i++) {
    bids.push(level(q.bidUnits - i, i === 0 ? q.bidQtyUnits : q.bidQtyUnits * (i + 1)));
    asks.push(level(q.askUnits + i, i === 0 ? q.askQtyUnits : q.askQtyUnits * (i + 1)));
  }
  return (
    `{"data":{"timestamp":"${Math.floor(q.timeMs / 1000)}","microtimestamp":"${micros(q.timeMs)}","bids":[${bids.join(',')}],"asks":[${asks.join(',')}]},` +
    `"channel":"order_book_${q.symbol}","event":"data"}`
  );
}

/**
 * GET /api/v2/transactions/{pair}/?time=minute|hour|day (https://www.bitstamp.net/api/#tag/Transactions-public):
 * [{"date":"<s>","tid":"<id>","amount":"<8 dp>","type":"0|1","price":".."}], newest first.
 */
export function encodeBitstampRest(trades: readonly SimTrade[]): string {
  const rows = [...trades].reverse().map(
    (t) =>
      `{"date":"${Math.floor(t.tradeTimeMs / 1000)}","tid":"${t.tradeId}","amount":"${bitstampAmount(t.qtyUnits, t.qtyDecimals)}",` +
      `"type":"${bitstampType(t)}","price":"${bitstampPrice(t.priceUnits, t.priceDecimals)}"}`,
  );
  return `[${rows.join(',')}]`;
}
