import { ValidationError, assertTimeUs, assertVenueEventId, canonicalDecimal, eventId, validateTrade, type TradeV1 } from '@feed/price-types';
import { asObj, parseFrame } from '../../mappers/fields';
import { joinUrl, type RestTradesVenue } from './rest-venue';

/**
 * Kraken "Get Recent Trades": GET /0/public/Trades?pair=XBTUSD&count=1000 (count max 1000),
 * https://docs.kraken.com/api/docs/rest-api/get-recent-trades
 *   {"error":[],"result":{"XXBTZUSD":[[<price>,<volume>,<time>,<"b"|"s">,<"m"|"l">,<misc>,<trade_id>]],"last":"<ns>"}}
 * price and volume are strings; time is epoch seconds with a fraction (read from the text, never a float);
 * "b"/"s" is the taker side (buy/sell, as the WebSocket `side`); trade_id is the WebSocket `trade_id`.
 * The result key is Kraken's own pair name (XXBTZUSD), so the one array beside `last` is taken.
 */
function secondsTextToUs(v: unknown): number {
  if (typeof v !== 'string' || !/^\d{1,12}(\.\d{1,9})?$/.test(v)) throw new ValidationError('wrong_type', 'time', 'expected epoch seconds');
  const [s, f = ''] = v.split('.') as [string, string?];
  return assertTimeUs(Number(s) * 1_000_000 + Number(f.padEnd(6, '0').slice(0, 6)), 'time');
}

export const krakenRest: RestTradesVenue = {
  venue: 'kraken',
  doc: 'https://docs.kraken.com/api/docs/rest-api/get-recent-trades',
  defaultBaseUrl: 'https://api.kraken.com',
  url: (base, symbol) => joinUrl(base, `/0/public/Trades?pair=${symbol.replace('-', '').replace(/^BTC/, 'XBT')}&count=1000`),
  parse(text, symbol, recvTimeUs, source): TradeV1[] {
    const o = parseFrame(text);
    const errors = o['error'];
    if (Array.isArray(errors) && errors.length > 0) throw new ValidationError('bad_enum', 'error', `Kraken error ${JSON.stringify(errors).slice(0, 80)}`);
    const result = asObj(o['result'], 'result');
    const rows = Object.entries(result).find(([k, v]) => k !== 'last' && Array.isArray(v))?.[1] as unknown[] | undefined;
    if (!rows) throw new ValidationError('missing_field', 'result', 'no trades array');
    return rows.map((r) => {
      if (!Array.isArray(r) || r.length < 7) throw new ValidationError('wrong_type', 'result[]', 'expected a trade row');
      const side = r[3];
      if (side !== 'b' && side !== 's') throw new ValidationError('bad_enum', 'side', 'expected b|s');
      const rawId = r[6];
      if (typeof rawId !== 'string' || !/^\d{1,20}$/.test(rawId)) throw new ValidationError('wrong_type', 'trade_id', 'expected an integer');
      const tradeId = assertVenueEventId(rawId, 'trade_id');
      return validateTrade({
        v: 1,
        type: 'trade',
        id: eventId('trade', 'kraken', symbol, tradeId),
        venue: 'kraken',
        symbol,
        source,
        recvTimeUs,
        tradeId,
        price: canonicalDecimal(String(r[0]), 'price'),
        size: canonicalDecimal(String(r[1]), 'volume'),
        side: side === 'b' ? 'buy' : 'sell',
        venueTimeUs: secondsTextToUs(r[2]),
      });
    });
  },
};
