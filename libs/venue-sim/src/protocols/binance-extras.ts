import { canonicalText } from '../decimal-text';
import type { SimQuote } from '../quote-types';
import type { SimTrade } from '../types';
import { binanceDecimal } from './binance-frames';
import type { RestTradesEndpoint } from './venue-protocol';
import { limitParam } from './wire-text';

/**
 * Binance spot best bid/ask and REST recent trades.
 * <symbol>@bookTicker (https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams, "Individual
 * Symbol Book Ticker Streams"): {"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}
 * GET /api/v3/trades?symbol=&limit= (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints,
 * "Recent trades list", limit default 500, max 1000, oldest first):
 *   [{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,"isBuyerMaker":true,"isBestMatch":true}]
 */
export function encodeBinanceBookTicker(q: SimQuote): string {
  const p = (u: number): string => binanceDecimal(u, q.priceDecimals);
  const s = (u: number): string => binanceDecimal(u, q.qtyDecimals);
  return `{"u":${q.updateId},"s":"${q.symbol}","b":"${p(q.bidUnits)}","B":"${s(q.bidQtyUnits)}","a":"${p(q.askUnits)}","A":"${s(q.askQtyUnits)}"}`;
}

/** price x qty exactly, as canonical decimal text (integer arithmetic on the units). */
function quoteQty(t: SimTrade): string {
  const units = (BigInt(t.priceUnits) * BigInt(t.qtyUnits)).toString();
  const d = t.priceDecimals + t.qtyDecimals;
  const padded = units.padStart(d + 1, '0');
  return canonicalText(`${padded.slice(0, padded.length - d)}.${padded.slice(padded.length - d)}`);
}

export const binanceRest: RestTradesEndpoint = {
  paths: ['/api/v3/trades?symbol=<SYMBOL>&limit='],
  parse(pathname, query, symbols) {
    if (pathname !== '/api/v3/trades') return null;
    const symbol = query.get('symbol') ?? '';
    if (!symbols.includes(symbol)) return `Invalid symbol ${symbol}`;
    const limit = limitParam(query, 'limit', 500, 1000);
    return limit === null ? 'limit must be 1..1000' : { symbol, limit };
  },
  encode(trades) {
    const rows = trades.map(
      (t) =>
        `{"id":${t.tradeId},"price":"${binanceDecimal(t.priceUnits, t.priceDecimals)}","qty":"${binanceDecimal(t.qtyUnits, t.qtyDecimals)}",` +
        `"quoteQty":"${quoteQty(t)}","time":${t.tradeTimeMs},"isBuyerMaker":${t.buyerIsMaker},"isBestMatch":true}`,
    );
    return `[${rows.join(',')}]`;
  },
};
