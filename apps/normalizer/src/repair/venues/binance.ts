import { ValidationError, assertVenueEventId, canonicalDecimal, eventId, parseJsonNumbersAsText, validateTrade, type TradeV1 } from '@feed/price-types';
import { asObj, msTime, str, uintText } from '../../mappers/fields';
import { joinUrl, type RestTradesVenue } from './rest-venue';

/**
 * Binance spot "Recent trades list": GET /api/v3/trades?symbol=BTCUSDT&limit=1000 (limit default 500, max 1000),
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#recent-trades-list
 *   [{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,
 *     "isBuyerMaker":true,"isBestMatch":true}]
 * `id` is the same trade id as the WebSocket `t`; `isBuyerMaker` the same flag as `m` (true -> the taker sold).
 */
export const binanceRest: RestTradesVenue = {
  venue: 'binance',
  doc: 'https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#recent-trades-list',
  defaultBaseUrl: 'https://api.binance.com',
  url: (base, symbol) => joinUrl(base, `/api/v3/trades?symbol=${symbol.replace('-', '')}&limit=1000`),
  parse(text, symbol, recvTimeUs, source): TradeV1[] {
    const rows = parseJsonNumbersAsText(text);
    if (!Array.isArray(rows)) throw new ValidationError('wrong_type', '$', 'expected an array of trades');
    return rows.map((r, i) => {
      const t = asObj(r, `[${i}]`);
      const tradeId = assertVenueEventId(uintText(t, 'id', 20), 'id');
      const m = t['isBuyerMaker'];
      if (typeof m !== 'boolean') throw new ValidationError('wrong_type', 'isBuyerMaker', 'expected boolean');
      return validateTrade({
        v: 1,
        type: 'trade',
        id: eventId('trade', 'binance', symbol, tradeId),
        venue: 'binance',
        symbol,
        source,
        recvTimeUs,
        tradeId,
        price: canonicalDecimal(str(t, 'price'), 'price'),
        size: canonicalDecimal(str(t, 'qty'), 'qty'),
        side: m ? 'sell' : 'buy',
        venueTimeUs: msTime(t, 'time'),
      });
    });
  },
};
