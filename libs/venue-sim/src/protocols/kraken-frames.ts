import type { SimQuote } from '../quote-types';
import type { SimTrade } from '../types';
import { canon, fixed, isoMicros } from './wire-text';

/**
 * Kraken spot WebSocket v2 messages, written as text (https://docs.kraken.com/api/docs/websocket-v2/trade,
 * https://docs.kraken.com/api/docs/websocket-v2/ticker, https://docs.kraken.com/api/docs/websocket-v2/heartbeat):
 *   {"channel":"trade","type":"update","data":[{"symbol":"MATIC/USD","side":"sell","price":0.5117,"qty":40.0,
 *     "ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"}]}
 * side is the TAKER side ("the side of the taker order"); price and qty are JSON numbers, written here as the
 * exact decimal text (never through a float), trade_id an integer sequence per book.
 */
export function takerSide(t: SimTrade): 'buy' | 'sell' {
  return t.buyerIsMaker ? 'sell' : 'buy';
}

/** Deterministic taker order type: mostly market orders, every fifth a marketable limit. */
export function ordType(t: SimTrade): 'market' | 'limit' {
  return t.seq % 5 === 4 ? 'limit' : 'market';
}

function tradeObject(t: SimTrade): string {
  return (
    `{"symbol":"${t.symbol}","side":"${takerSide(t)}","price":${canon(t.priceUnits, t.priceDecimals)},"qty":${canon(t.qtyUnits, t.qtyDecimals)},` +
    `"ord_type":"${ordType(t)}","trade_id":${t.tradeId},"timestamp":"${isoMicros(t.tradeTimeMs)}"}`
  );
}

export function encodeKrakenTrades(trades: readonly SimTrade[]): string {
  return `{"channel":"trade","type":"update","data":[${trades.map(tradeObject).join(',')}]}`;
}

/** ticker: bid, bid_qty, ask, ask_qty, last (numbers); 24 h statistics are not simulated (last price, volume 0). */
export function encodeKrakenTicker(q: SimQuote): string {
  const p = (u: number): string => canon(u, q.priceDecimals);
  const last = p(q.lastUnits);
  return (
    `{"channel":"ticker","type":"update","data":[{"symbol":"${q.symbol}","bid":${p(q.bidUnits)},"bid_qty":${canon(q.bidQtyUnits, q.qtyDecimals)},` +
    `"ask":${p(q.askUnits)},"ask_qty":${canon(q.askQtyUnits, q.qtyDecimals)},"last":${last},"volume":0,"vwap":${last},` +
    `"low":${last},"high":${last},"change":0,"change_pct":0,"timestamp":"${isoMicros(q.timeMs)}"}]}`
  );
}

/** The REST pair key Kraken answers with (https://docs.kraken.com/api/docs/rest-api/get-recent-trades): BTC/USD -> XXBTZUSD. */
export function krakenPairKey(symbol: string): string {
  const [base, quote] = symbol.split('/') as [string, string];
  const b = base === 'BTC' ? 'XBT' : base;
  const fiat = ['USD', 'EUR', 'GBP', 'JPY', 'CAD', 'CHF', 'AUD'].includes(quote);
  return ['XBT', 'ETH', 'LTC', 'XRP', 'XLM', 'ETC', 'ZEC', 'XMR'].includes(b) ? `X${b}${fiat ? 'Z' : 'X'}${quote}` : `${b}${quote}`;
}

/**
 * GET /0/public/Trades?pair=XBTUSD&count= -> {"error":[],"result":{"XXBTZUSD":[[<price>,<volume>,<time>,<b|s>,
 * <m|l>,<misc>,<trade_id>]],"last":"<ns>"}}, oldest first; price with 5 and volume with 8 decimals as strings,
 * time as seconds with decimals, side the taker's.
 */
export function encodeKrakenRest(trades: readonly SimTrade[], symbol: string): string {
  const rows = trades.map((t) => {
    const time = `${Math.floor(t.tradeTimeMs / 1000)}.${String(t.tradeTimeMs % 1000).padStart(3, '0')}0`;
    return `["${fixed(t.priceUnits, t.priceDecimals, 5)}","${fixed(t.qtyUnits, t.qtyDecimals, 8)}",${time},"${takerSide(t)[0]}","${ordType(t)[0]}","",${t.tradeId}]`;
  });
  const last = trades[trades.length - 1];
  return `{"error":[],"result":{"${krakenPairKey(symbol)}":[${rows.join(',')}],"last":"${last ? `${last.tradeTimeMs}000000` : '0'}"}}`;
}
