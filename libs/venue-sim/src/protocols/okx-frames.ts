import type { SimQuote } from '../quote-types';
import type { SimTrade } from '../types';
import { canon } from './wire-text';

/**
 * OKX API v5 public WebSocket messages, written as text (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-trades-channel):
 *   {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474",
 *    "px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3","source":"0"}]}
 * side is the TAKER side ("trade direction: buy, sell" of the taker); `count` is the number of fills
 * aggregated into the push and tradeId the last of them: the simulator aggregates nothing, so count is "1"
 * and tradeIds are consecutive (a jump is a gap). Best bid/ask: the `bbo-tbt` channel ("tick-by-tick top of book"):
 *   {"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],
 *    "bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":123456}]}
 */
export function takerSide(t: SimTrade): 'buy' | 'sell' {
  return t.buyerIsMaker ? 'sell' : 'buy';
}

export function okxTradeObject(t: SimTrade, withCount: boolean): string {
  return (
    `{"instId":"${t.symbol}","tradeId":"${t.tradeId}","px":"${canon(t.priceUnits, t.priceDecimals)}","sz":"${canon(t.qtyUnits, t.qtyDecimals)}",` +
    `"side":"${takerSide(t)}","ts":"${t.tradeTimeMs}"${withCount ? ',"count":"1"' : ''},"source":"0"}`
  );
}

export function encodeOkxTrades(trades: readonly SimTrade[]): string {
  const first = trades[0] as SimTrade;
  return `{"arg":{"channel":"trades","instId":"${first.symbol}"},"data":[${trades.map((t) => okxTradeObject(t, true)).join(',')}]}`;
}

export function encodeOkxBbo(q: SimQuote): string {
  const level = (p: number, s: number, orders: number): string => `["${canon(p, q.priceDecimals)}","${canon(s, q.qtyDecimals)}","0","${orders}"]`;
  const orders = 1 + (Number(q.seq) % 13);
  return (
    `{"arg":{"channel":"bbo-tbt","instId":"${q.symbol}"},"data":[{"asks":[${level(q.askUnits, q.askQtyUnits, orders)}],` +
    `"bids":[${level(q.bidUnits, q.bidQtyUnits, orders)}],"ts":"${q.timeMs}","seqId":${q.updateId}}]}`
  );
}

/**
 * GET /api/v5/market/trades?instId=BTC-USDT&limit= (https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-trades):
 * {"code":"0","msg":"","data":[{"instId","side","sz","px","tradeId","ts","source"}]}, newest first, limit 1..500 (default 100).
 */
export function encodeOkxRest(trades: readonly SimTrade[]): string {
  return `{"code":"0","msg":"","data":[${[...trades].reverse().map((t) => okxTradeObject(t, false)).join(',')}]}`;
}
