import { ValidationError } from './errors';
import { assertSymbol, isSymbol, splitSymbol, symbolOf } from './symbols';

function refusal(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('canonical symbols', () => {
  it.each([['BTC-USD'], ['BTC-USDT'], ['BTC-USDC'], ['BTC-EUR'], ['ETH-BTC'], ['1INCH-USDT'], ['BT-US'], ['ABCDEFGHIJ-ABCDEFGHIJ']])('%s is valid', (s) => {
    expect(isSymbol(s)).toBe(true);
    expect(assertSymbol(s)).toBe(s);
  });

  it.each([
    ['btc-usd'],
    ['Btc-Usd'],
    ['BTCUSD'],
    ['BTCUSDT'],
    ['BTC/USD'],
    ['XBT/USD'],
    ['BTC_USD'],
    ['BTC-'],
    ['-USD'],
    ['B-USD'], // base too short
    ['BTC-U'],
    ['ABCDEFGHIJK-USD'], // base longer than 10
    ['BTC-USD-PERP'],
    ['BTC--USD'],
    [' BTC-USD'],
    ['BTC-USD '],
    ['BTC-USD\n'],
    ['BTC-ÜSD'],
    ['BTC.USD'],
    ['BTC-US*'],
    ['BTC->'],
    [''],
  ])('%j is invalid (bad_symbol)', (s) => {
    expect(isSymbol(s)).toBe(false);
    expect(refusal(() => assertSymbol(s))).toEqual({ code: 'bad_symbol', field: 'symbol' });
  });

  it('refuses non-strings and names the given field', () => {
    for (const v of [null, undefined, 1, {}, ['BTC-USD'], true]) {
      expect(isSymbol(v)).toBe(false);
      expect(refusal(() => assertSymbol(v, 'pair'))).toEqual({ code: 'bad_symbol', field: 'pair' });
    }
  });

  it('keeps the quote currency as identity: BTC-USD is not BTC-USDT', () => {
    expect('BTC-USD').not.toBe('BTC-USDT');
    expect(assertSymbol('BTC-USD')).not.toBe(assertSymbol('BTC-USDT'));
    expect(splitSymbol('BTC-USD').quote).toBe('USD');
    expect(splitSymbol('BTC-USDT').quote).toBe('USDT');
    expect(symbolOf('btc', 'usd')).not.toBe(symbolOf('btc', 'usdt'));
  });
});

describe('symbolOf', () => {
  it('builds upper-case BASE-QUOTE from any case', () => {
    expect(symbolOf('btc', 'usdt')).toBe('BTC-USDT');
    expect(symbolOf('BTC', 'USD')).toBe('BTC-USD');
    expect(symbolOf('Btc', 'Usd')).toBe('BTC-USD');
  });

  it('refuses parts that do not make a canonical symbol', () => {
    expect(refusal(() => symbolOf('btc', 'usd/x'))).toEqual({ code: 'bad_symbol', field: 'symbol' });
    expect(refusal(() => symbolOf('', 'usd'))).toEqual({ code: 'bad_symbol', field: 'symbol' });
    expect(refusal(() => symbolOf('btc-eth', 'usd'))).toEqual({ code: 'bad_symbol', field: 'symbol' });
    expect(refusal(() => symbolOf('xbt/', 'usd'))).toEqual({ code: 'bad_symbol', field: 'symbol' });
  });
});

describe('splitSymbol', () => {
  it('splits into base and quote', () => {
    expect(splitSymbol('BTC-USDT')).toEqual({ base: 'BTC', quote: 'USDT' });
    expect(splitSymbol('ETH-BTC')).toEqual({ base: 'ETH', quote: 'BTC' });
  });

  it('refuses non-canonical input', () => {
    expect(refusal(() => splitSymbol('BTCUSDT'))).toEqual({ code: 'bad_symbol', field: 'symbol' });
    expect(refusal(() => splitSymbol('btc-usd'))).toEqual({ code: 'bad_symbol', field: 'symbol' });
  });
});
