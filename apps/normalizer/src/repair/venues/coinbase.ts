import { ValidationError, type TradeV1 } from '@feed/price-types';
import { asObj, parseFrame } from '../../mappers/fields';
import { mapTrade } from '../../mappers/coinbase';
import { joinUrl, type RestTradesVenue } from './rest-venue';

/**
 * Coinbase Advanced Trade "Get Public Market Trades": GET /api/v3/brokerage/market/products/{product_id}/ticker?limit=
 * (public, no auth), https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/public/get-public-market-trades
 *   {"trades":[{"trade_id","product_id","price","size","time","side","exchange"}],"best_bid","best_ask"}
 * The trade objects are the `market_trades` WebSocket ones (same `trade_id`, `side` the maker side), so the
 * WebSocket mapper's trade reader maps them.
 */
export const coinbaseRest: RestTradesVenue = {
  venue: 'coinbase',
  doc: 'https://docs.cdp.coinbase.com/api-reference/advanced-trade-api/rest-api/public/get-public-market-trades',
  defaultBaseUrl: 'https://api.coinbase.com',
  url: (base, symbol) => joinUrl(base, `/api/v3/brokerage/market/products/${symbol}/ticker?limit=1000`),
  parse(text, _symbol, recvTimeUs, source): TradeV1[] {
    const trades = parseFrame(text)['trades'];
    if (!Array.isArray(trades)) throw new ValidationError('wrong_type', 'trades', 'expected an array');
    return trades.map((t, i) => mapTrade(asObj(t, `trades[${i}]`), { venue: 'coinbase', channel: 'trade', recvTimeUs, source, text: '' }));
  },
};
