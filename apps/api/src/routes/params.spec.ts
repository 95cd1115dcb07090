import { BadRequestError, UnknownSymbolError } from '../errors';
import { parseLimit, parseSymbol } from './params';

const known = new Set(['BTC-USDT', 'BTC-USD']);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('parseSymbol', () => {
  it('accepts a known canonical symbol', () => {
    expect(parseSymbol({ symbol: 'BTC-USDT' }, known)).toBe('BTC-USDT');
  });

  it.each([
    ['missing', {}],
    ['empty', { symbol: '' }],
    ['lower case', { symbol: 'btc-usdt' }],
    ['no dash', { symbol: 'BTCUSDT' }],
    ['repeated', { symbol: ['BTC-USDT', 'BTC-USD'] }],
    ['nested', { symbol: { a: 'b' } }],
    ['injection-looking', { symbol: 'BTC-USDT*' }],
  ])('refuses %s with 400 bad_request on param symbol', (_name, q) => {
    const e = thrown(() => parseSymbol(q, known));
    expect(e).toBeInstanceOf(BadRequestError);
    expect((e as BadRequestError).status).toBe(400);
    expect((e as BadRequestError).body()).toEqual({ error: { code: 'bad_request', message: expect.any(String), param: 'symbol' } });
  });

  it('answers a well-formed symbol that is not served with 404 unknown_symbol', () => {
    const e = thrown(() => parseSymbol({ symbol: 'ETH-USDT' }, known));
    expect(e).toBeInstanceOf(UnknownSymbolError);
    expect((e as UnknownSymbolError).status).toBe(404);
    expect((e as UnknownSymbolError).body().error.code).toBe('unknown_symbol');
  });
});

describe('parseLimit', () => {
  it('defaults to 100', () => {
    expect(parseLimit({})).toBe(100);
  });

  it.each(['1', '7', '100', '999', '1000'])('accepts %s', (s) => {
    expect(parseLimit({ limit: s })).toBe(Number(s));
  });

  it.each(['0', '1001', '-1', '+5', '1.5', '1e2', '0010', 'abc', '', ' 5', '99999'])('refuses %j with 400 on param limit', (s) => {
    const e = thrown(() => parseLimit({ limit: s }));
    expect(e).toBeInstanceOf(BadRequestError);
    expect((e as BadRequestError).param).toBe('limit');
  });

  it('refuses a repeated limit', () => {
    expect(thrown(() => parseLimit({ limit: ['5', '6'] }))).toBeInstanceOf(BadRequestError);
  });
});
