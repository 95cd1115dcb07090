import { ValidationError, type TradeV1 } from '@feed/price-types';
import { asObj, parseFrame } from '../../mappers/fields';
import { mapTrade } from '../../mappers/okx';
import { joinUrl, type RestTradesVenue } from './rest-venue';

/**
 * OKX "Get trades": GET /api/v5/market/trades?instId=BTC-USDT&limit=500 (max 500), newest first,
 * https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-trades
 *   {"code":"0","msg":"","data":[{"instId","side","sz","px","tradeId","ts","source"}]}
 * The items are the WebSocket `trades` fields without `count` (one fill each; `side` is again "Trade side of taker"),
 * so the WebSocket mapper's trade reader maps them. `code` other than "0" is an error answer.
 */
export const okxRest: RestTradesVenue = {
  venue: 'okx',
  doc: 'https://www.okx.com/docs-v5/en/#order-book-trading-market-data-get-trades',
  defaultBaseUrl: 'https://www.okx.com',
  url: (base, symbol) => joinUrl(base, `/api/v5/market/trades?instId=${symbol}&limit=500`),
  parse(text, _symbol, recvTimeUs, source): TradeV1[] {
    const o = parseFrame(text);
    if (o['code'] !== '0') throw new ValidationError('bad_enum', 'code', `OKX error answer ${JSON.stringify(String(o['code']).slice(0, 20))}`);
    const data = o['data'];
    if (!Array.isArray(data)) throw new ValidationError('wrong_type', 'data', 'expected an array');
    return data.map((t, i) => mapTrade(asObj(t, `data[${i}]`), { venue: 'okx', channel: 'trade', recvTimeUs, source, text: '' }));
  },
};
