import { canonicalDecimal } from './decimal';
import { ValidationError } from './errors';
import { assertVenueEventId } from './ids';
import { parseJsonNumbersAsText } from './json-text';

function refusal(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

/**
 * Walk JSON.parse's result and ours side by side: same shape, same strings, and every number comes back as
 * text that denotes that number.
 */
function expectParity(viaParse: unknown, viaText: unknown): void {
  if (typeof viaParse === 'number') {
    expect(typeof viaText).toBe('string');
    expect(Number(viaText)).toBe(viaParse);
  } else if (Array.isArray(viaParse)) {
    expect(Array.isArray(viaText)).toBe(true);
    const t = viaText as unknown[];
    expect(t).toHaveLength(viaParse.length);
    viaParse.forEach((x, i) => expectParity(x, t[i]));
  } else if (viaParse !== null && typeof viaParse === 'object') {
    expect(viaText).not.toBeNull();
    expect(typeof viaText).toBe('object');
    const p = viaParse as Record<string, unknown>;
    const t = viaText as Record<string, unknown>;
    expect(Object.keys(t)).toEqual(Object.keys(p));
    for (const k of Object.keys(p)) expectParity(p[k], t[k]);
  } else {
    expect(viaText).toBe(viaParse);
  }
}

describe('parseJsonNumbersAsText', () => {
  it('keeps every digit of a long JSON number', () => {
    const text = '{"p":67234.123456789012345678}';
    expect(parseJsonNumbersAsText(text)).toEqual({ p: '67234.123456789012345678' });
    expect((JSON.parse(text) as { p: number }).p).toBe(67234.12345678901); // what JSON.parse makes of it
  });

  it('keeps trailing zeros, exponents and signs exactly as sent (canonicalisation is a separate step)', () => {
    expect(parseJsonNumbersAsText('{"p":67234.01000000,"q":0.00120000,"e":1e-8,"E":1E+3,"n":-0.000,"z":0}')).toEqual({
      p: '67234.01000000',
      q: '0.00120000',
      e: '1e-8',
      E: '1E+3',
      n: '-0.000',
      z: '0',
    });
    expect(canonicalDecimal('0.00120000')).toBe('0.0012');
  });

  it('keeps integer ids above 2^53 exact', () => {
    const r = parseJsonNumbersAsText('{"trade_id":9007199254740993,"big":123456789012345678901234567890}') as Record<string, string>;
    expect(r['trade_id']).toBe('9007199254740993');
    expect(assertVenueEventId(r['trade_id'], 'tradeId')).toBe('9007199254740993');
    expect(r['big']).toBe('123456789012345678901234567890');
  });

  it('reads a Kraken v2 trade frame', () => {
    const frame =
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":67234.1,"qty":0.00120000,' +
      '"ord_type":"market","trade_id":9007199254740993,"timestamp":"2026-11-29T08:02:13.010918Z"}]}';
    expect(parseJsonNumbersAsText(frame)).toEqual({
      channel: 'trade',
      type: 'update',
      data: [
        {
          symbol: 'BTC/USD',
          side: 'buy',
          price: '67234.1',
          qty: '0.00120000',
          ord_type: 'market',
          trade_id: '9007199254740993',
          timestamp: '2026-11-29T08:02:13.010918Z',
        },
      ],
    });
  });

  it('leaves strings untouched, including digits, escaped quotes and backslashes', () => {
    const text = String.raw`{"a":"12.5","b":"x \"42\" y","c":"C:\\","d":5,"e":"\\\"7\\","f":"\u0031\u0032","g":"-1e5","h":"[1,2]"}`;
    expect(parseJsonNumbersAsText(text)).toEqual({
      a: '12.5',
      b: 'x "42" y',
      c: 'C:\\',
      d: '5',
      e: '\\"7\\',
      f: '12',
      g: '-1e5',
      h: '[1,2]',
    });
  });

  it('leaves numeric-looking keys alone and quotes only values', () => {
    expect(parseJsonNumbersAsText('{"1":2,"-3":[4]}')).toEqual({ '1': '2', '-3': ['4'] });
  });

  it('handles nested arrays and objects, whitespace and literals', () => {
    const text = ' [ [1, [2.5, [-3e-8, [ 0 ]]]], {"a": [1E+3, true, false, null, {"b": -0.5}]}, "9" ] ';
    expect(parseJsonNumbersAsText(text)).toEqual([['1', ['2.5', ['-3e-8', ['0']]]], { a: ['1E+3', true, false, null, { b: '-0.5' }] }, '9']);
  });

  it('handles Kraken v2 book levels (arrays of objects with number fields)', () => {
    const text = '{"channel":"book","data":[{"symbol":"BTC/USD","bids":[{"price":67234.0,"qty":1.25000000}],"asks":[{"price":67234.1,"qty":0.5}],"checksum":2450456123}]}';
    expect(parseJsonNumbersAsText(text)).toEqual({
      channel: 'book',
      data: [{ symbol: 'BTC/USD', bids: [{ price: '67234.0', qty: '1.25000000' }], asks: [{ price: '67234.1', qty: '0.5' }], checksum: '2450456123' }],
    });
  });

  it('parses top-level scalars', () => {
    expect(parseJsonNumbersAsText('42')).toBe('42');
    expect(parseJsonNumbersAsText('-1.5e3')).toBe('-1.5e3');
    expect(parseJsonNumbersAsText('"42"')).toBe('42');
    expect(parseJsonNumbersAsText('true')).toBe(true);
    expect(parseJsonNumbersAsText('null')).toBeNull();
  });

  it('agrees with JSON.parse on structure and values for many generated documents', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pieces = ['a', '1', '"', '\\', '-', 'e', '.', '{', '}', '[', ']', ',', ':', ' ', 'é', '€', '\n', '\u0000', '𝄞'];
    const randomString = (): string => Array.from({ length: Math.floor(rnd() * 8) }, () => pieces[Math.floor(rnd() * pieces.length)]).join('');
    const randomNumber = (): number => {
      const r = rnd();
      if (r < 0.2) return Math.floor(rnd() * 1e6);
      if (r < 0.4) return -rnd() * 1e6;
      if (r < 0.6) return rnd() * 1e-9;
      if (r < 0.8) return rnd() * 1e25;
      return 0;
    };
    const randomValue = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.3) return randomNumber();
      if (r < 0.5) return randomString();
      if (r < 0.55) return [true, false, null][Math.floor(rnd() * 3)];
      if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rnd() * 4); i++) o[randomString() + i] = randomValue(depth + 1);
      return o;
    };
    for (let i = 0; i < 500; i++) {
      const text = JSON.stringify(randomValue(0), null, i % 2 ? 1 : undefined);
      expectParity(JSON.parse(text), parseJsonNumbersAsText(text));
    }
  });

  it('is linear enough for a large frame', () => {
    const text = '[' + Array.from({ length: 100_000 }, (_, i) => `${i}.${i % 97}`).join(',') + ']';
    const r = parseJsonNumbersAsText(text) as string[];
    expect(r).toHaveLength(100_000);
    expect(r[99_999]).toBe('99999.89');
  });

  it.each([
    [''],
    ['{'],
    ['{"p":}'],
    ['{"p":1,}'],
    ['{"p":"unterminated}'],
    ['{"p":NaN}'],
    ['{"p":Infinity}'],
    ['{"p":-Infinity}'],
    ['{"p":+1}'],
    ['{"p":.5}'],
    ['{"p":0x10}'],
    ['{"p":1 2}'],
    ['{p:1}'],
    ["{'p':1}"],
    ['[1]x'],
    ['{"a":1}{"b":2}'],
  ])('refuses invalid JSON %j as bad_json', (text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(refusal(() => parseJsonNumbersAsText(text))).toEqual({ code: 'bad_json', field: '$' });
  });

  it.each([
    // number tokens JSON forbids; quoting them must not turn invalid JSON into a valid string
    ['{"p":1.2.3}'],
    ['{"p":01}'],
    ['{"p":-01.5}'],
    ['{"p":00}'],
    ['{"p":1.}'],
    ['{"p":-}'],
    ['{"p":--1}'],
    ['{"p":1-2}'],
    ['{"p":1e}'],
    ['{"p":1e+}'],
    ['{"p":1e5e5}'],
    ['{"p":1.e5}'],
    ['[1,2,3-]'],
  ])('refuses the malformed number in %j as bad_json, as JSON.parse does', (text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(refusal(() => parseJsonNumbersAsText(text))).toEqual({ code: 'bad_json', field: '$' });
  });
});
