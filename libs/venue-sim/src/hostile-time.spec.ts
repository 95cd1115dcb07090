import { getProtocol } from './protocols/registry';
import { SEQ_MARK } from './protocols/venue-protocol';
import { FUTURE_MS } from './protocols/hostile-text';
import './protocols/binance';
import './protocols/bitstamp';
import './protocols/bybit';
import './protocols/coinbase';
import './protocols/kraken';
import './protocols/okx';
import { sampleTrade } from './spec-helpers';

describe('the future_time hostile kind on every venue (a 2099 trade time, refused downstream as future_time)', () => {
  it.each([
    ['binance', 'BTCUSDT', '"T":1700000000123', `"T":${FUTURE_MS}`],
    ['okx', 'BTC-USDT', '"ts":"1700000000123"', `"ts":"${FUTURE_MS}"`],
    ['bybit', 'BTCUSDT', '"T":1700000000123', `"T":${FUTURE_MS}`],
    ['bitstamp', 'btcusd', '"microtimestamp":"1700000000123000"', `"microtimestamp":"${FUTURE_MS}000"`],
    ['coinbase', 'BTC-USD', '"time":"2023-11-14T22:13:20.123', '"time":"2099-01-01T00:00:00.000000Z"'],
    ['kraken', 'BTC/USD', '"timestamp":"2023-11-14T22:13:20.123', '"timestamp":"2099-01-01T00:00:00.000000Z"'],
  ])('%s: only the trade time changes', (venue, symbol, genuineTime, futureTime) => {
    const p = getProtocol(venue);
    // A genuine trade; the future_time frame must be its genuine frame with only the trade time changed.
    const t = sampleTrade({ venue, symbol });
    const genuine = p.encodeTrade(t);
    const hostile = p.encodeHostile('future_time', t, t.tradeId, '');
    expect(genuine).toContain(genuineTime);
    expect(hostile).toContain(futureTime);
    expect(hostile).not.toContain(genuineTime);
    // Coinbase frames carry a per-connection sequence_num placeholder, filled in when sent.
    expect(() => JSON.parse(hostile.replace(SEQ_MARK, '1')) as unknown).not.toThrow();
  });
});
