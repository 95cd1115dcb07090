import {
  canonicalDecimalGeneral,
  compareDecimalScaled,
  MAX_DECIMAL_TEXT,
  MAX_FRACTION_DIGITS,
  MAX_INTEGER_DIGITS,
  canonicalDecimal,
  compareDecimal,
  decimalSign,
  fromScaled,
  isCanonicalDecimal,
  toScaled,
} from './decimal';
import { ValidationError } from './errors';

/** Run fn and return the ValidationError's code and field; fails the test if nothing (or something else) is thrown. */
function refusal(fn: () => unknown): { code: string; field: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return { code: e.code, field: e.field };
    throw e;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe('canonicalDecimal', () => {
  it.each([
    // venue spellings -> canonical
    ['67234.01000000', '67234.01'],
    ['0.00120000', '0.0012'],
    ['67234.01', '67234.01'],
    ['67234', '67234'],
    ['67234.', '67234'],
    ['67234.000', '67234'],
    ['.5', '0.5'],
    ['0.5', '0.5'],
    ['00.5', '0.5'],
    ['0012', '12'],
    ['000012.3400', '12.34'],
    ['+5', '5'],
    ['-5', '-5'],
    ['-0.50', '-0.5'],
    ['-.5', '-0.5'],
    // zero in every spelling is "0"
    ['0', '0'],
    ['00', '0'],
    ['0.0', '0'],
    ['.0', '0'],
    ['0.', '0'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['+0.0', '0'],
    ['0e5', '0'],
    ['-0e-5', '0'],
    // exponents are shifted on digits, never through a float
    ['1e-8', '0.00000001'],
    ['1E-8', '0.00000001'],
    ['1e8', '100000000'],
    ['1E+3', '1000'],
    ['1e+3', '1000'],
    ['1e0', '1'],
    ['1e-0', '1'],
    ['1.5e1', '15'],
    ['1.234e2', '123.4'],
    ['1.234e3', '1234'],
    ['1.234e5', '123400'],
    ['123.4e-1', '12.34'],
    ['123.4e-3', '0.1234'],
    ['123.4e-5', '0.001234'],
    ['00012e-2', '0.12'],
    ['.5e1', '5'],
    ['5.e-1', '0.5'],
    ['6.723401e4', '67234.01'],
    ['-6.723401E+4', '-67234.01'],
    ['1.0e-18', '0.000000000000000001'],
    // digits a float would lose or invent are kept exactly
    ['67234.123456789012345678', '67234.123456789012345678'],
    ['0.1', '0.1'],
    ['0.30000000000000004', '0.30000000000000004'],
    ['999999999999999', '999999999999999'],
    ['900719925474099.3', '900719925474099.3'],
  ])('%j -> %j', (input, expected) => {
    expect(canonicalDecimal(input)).toBe(expected);
  });

  it('keeps all 18 fraction digits and every integer digit (no float round trip)', () => {
    expect(canonicalDecimal('67234.123456789012345678')).toBe('67234.123456789012345678');
    expect(Number('67234.123456789012345678').toString()).not.toBe('67234.123456789012345678');
    expect(canonicalDecimal('123456789012345.123456789012345678')).toBe('123456789012345.123456789012345678');
    expect(canonicalDecimal('0.000000000000000001')).toBe('0.000000000000000001');
  });

  it('is idempotent: canonical output is a fixed point', () => {
    for (const s of ['67234.01000000', '1e-8', '1E+3', '.5', '-0.000', '00.5', '-6.723401E+4']) {
      const c = canonicalDecimal(s);
      expect(canonicalDecimal(c)).toBe(c);
    }
  });

  it.each([
    ['NaN'],
    ['nan'],
    ['Infinity'],
    ['-Infinity'],
    ['+Infinity'],
    ['inf'],
    [''],
    [' '],
    [' 1'],
    ['1 '],
    ['1\n'],
    ['1.2.3'],
    ['1..2'],
    ['0x10'],
    ['0b1'],
    ['0o7'],
    ['1_000'],
    ['1,5'],
    ['1,000.5'],
    ['--1'],
    ['+-1'],
    ['-'],
    ['+'],
    ['.'],
    ['-.'],
    ['e5'],
    ['.e5'],
    ['1e'],
    ['1e+'],
    ['1e-'],
    ['1e1.5'],
    ['1e1e1'],
    ['1e1000'], // exponent longer than three digits
    ['abc'],
    ['12a'],
    ['１２'], // full-width digits
    ['٣'], // Arabic-Indic digit
    ['1/2'],
  ])('refuses %j as bad_decimal', (input) => {
    expect(refusal(() => canonicalDecimal(input, 'price'))).toEqual({ code: 'bad_decimal', field: 'price' });
  });

  it('uses "value" as the field name by default', () => {
    expect(refusal(() => canonicalDecimal('x'))).toEqual({ code: 'bad_decimal', field: 'value' });
  });

  it('refuses text that is not a string as wrong_type (callers from untyped JSON)', () => {
    expect(refusal(() => canonicalDecimal(67234.01 as unknown as string, 'price'))).toEqual({ code: 'wrong_type', field: 'price' });
    expect(refusal(() => canonicalDecimal(null as unknown as string, 'size'))).toEqual({ code: 'wrong_type', field: 'size' });
    expect(refusal(() => canonicalDecimal(undefined as unknown as string))).toEqual({ code: 'wrong_type', field: 'value' });
    expect(refusal(() => canonicalDecimal(10n as unknown as string))).toEqual({ code: 'wrong_type', field: 'value' });
  });

  it(`refuses over-long text (more than ${MAX_DECIMAL_TEXT} characters) even if the value is small`, () => {
    const atLimit = '0.' + '1'.repeat(MAX_FRACTION_DIGITS) + '0'.repeat(MAX_DECIMAL_TEXT - 2 - MAX_FRACTION_DIGITS);
    expect(atLimit).toHaveLength(MAX_DECIMAL_TEXT);
    expect(canonicalDecimal(atLimit)).toBe('0.' + '1'.repeat(MAX_FRACTION_DIGITS));
    expect(refusal(() => canonicalDecimal(atLimit + '0', 'size'))).toEqual({ code: 'bad_decimal', field: 'size' });
    expect(refusal(() => canonicalDecimal('0'.repeat(MAX_DECIMAL_TEXT + 1)))).toEqual({ code: 'bad_decimal', field: 'value' });
    expect(refusal(() => canonicalDecimal('1'.repeat(100_000)))).toEqual({ code: 'bad_decimal', field: 'value' });
  });

  it(`refuses more than ${MAX_FRACTION_DIGITS} significant fraction digits as bad_decimal`, () => {
    expect(canonicalDecimal('0.' + '0'.repeat(MAX_FRACTION_DIGITS - 1) + '1')).toBe('0.000000000000000001');
    expect(refusal(() => canonicalDecimal('0.' + '0'.repeat(MAX_FRACTION_DIGITS) + '1', 'price'))).toEqual({ code: 'bad_decimal', field: 'price' });
    expect(refusal(() => canonicalDecimal('1e-19'))).toEqual({ code: 'bad_decimal', field: 'value' });
    expect(refusal(() => canonicalDecimal('1.5e-18'))).toEqual({ code: 'bad_decimal', field: 'value' });
    // trailing zeros do not count
    expect(canonicalDecimal('1.' + '0'.repeat(40))).toBe('1');
  });

  it(`refuses more than ${MAX_INTEGER_DIGITS} integer digits as out_of_range`, () => {
    expect(canonicalDecimal('9'.repeat(MAX_INTEGER_DIGITS))).toBe('9'.repeat(MAX_INTEGER_DIGITS));
    expect(refusal(() => canonicalDecimal('1' + '0'.repeat(MAX_INTEGER_DIGITS), 'price'))).toEqual({ code: 'out_of_range', field: 'price' });
    expect(refusal(() => canonicalDecimal('9007199254740993'))).toEqual({ code: 'out_of_range', field: 'value' });
    expect(refusal(() => canonicalDecimal('1e15'))).toEqual({ code: 'out_of_range', field: 'value' });
    expect(refusal(() => canonicalDecimal('1e999'))).toEqual({ code: 'out_of_range', field: 'value' });
    expect(refusal(() => canonicalDecimal('-1e20'))).toEqual({ code: 'out_of_range', field: 'value' });
    // leading zeros do not count
    expect(canonicalDecimal('0'.repeat(30) + '1')).toBe('1');
  });

  it('handles a huge negative exponent without hanging and refuses it', () => {
    expect(refusal(() => canonicalDecimal('1e-999'))).toEqual({ code: 'bad_decimal', field: 'value' });
    expect(canonicalDecimal('0e-999')).toBe('0');
  });
});

describe('isCanonicalDecimal', () => {
  it.each(['0', '1', '0.5', '67234.01', '0.00000001', '-5', '-0.5', '100000000'])('%j is canonical', (s) => {
    expect(isCanonicalDecimal(s)).toBe(true);
  });

  it.each(['67234.01000000', '1.50', '.5', '00.5', '01', '1.', '-0', '-0.0', '+5', '1e-8', '1E+3', '', 'NaN', 'Infinity', '1.2.3', '0x10', ' 1'])(
    '%j is not canonical',
    (s) => {
      expect(isCanonicalDecimal(s)).toBe(false);
    },
  );

  it('is false for non-strings and over-long strings, never throws', () => {
    for (const v of [1, 0.5, null, undefined, {}, [], true, NaN, 1n]) expect(isCanonicalDecimal(v)).toBe(false);
    expect(isCanonicalDecimal('1'.repeat(MAX_DECIMAL_TEXT + 1))).toBe(false);
    expect(isCanonicalDecimal('1' + '0'.repeat(MAX_INTEGER_DIGITS))).toBe(false);
  });
});

describe('decimalSign', () => {
  it('gives the sign of a canonical decimal', () => {
    expect(decimalSign('0')).toBe(0);
    expect(decimalSign('0.00000001')).toBe(1);
    expect(decimalSign('67234.01')).toBe(1);
    expect(decimalSign('-0.00000001')).toBe(-1);
    expect(decimalSign('-5')).toBe(-1);
  });
});

describe('toScaled / fromScaled', () => {
  it('converts exactly to scaled integers', () => {
    expect(toScaled('67234.01', 8)).toBe(6723401000000n);
    expect(toScaled('0.00000001', 8)).toBe(1n);
    expect(toScaled('0', 8)).toBe(0n);
    expect(toScaled('5', 0)).toBe(5n);
    expect(toScaled('-0.5', 1)).toBe(-5n);
    expect(toScaled('-67234.01', 2)).toBe(-6723401n);
    expect(toScaled('123456789012345.123456789012345678', 18)).toBe(123456789012345123456789012345678n);
  });

  it('refuses digits beyond the scale instead of rounding', () => {
    expect(refusal(() => toScaled('0.000000001', 8))).toEqual({ code: 'bad_decimal', field: 'value' });
    expect(refusal(() => toScaled('1.5', 0))).toEqual({ code: 'bad_decimal', field: 'value' });
  });

  it('converts back to canonical text', () => {
    expect(fromScaled(6723401000000n, 8)).toBe('67234.01');
    expect(fromScaled(1n, 8)).toBe('0.00000001');
    expect(fromScaled(0n, 8)).toBe('0');
    expect(fromScaled(-0n, 8)).toBe('0');
    expect(fromScaled(-5n, 1)).toBe('-0.5');
    expect(fromScaled(-1n, 8)).toBe('-0.00000001');
    expect(fromScaled(100n, 2)).toBe('1');
    expect(fromScaled(5n, 0)).toBe('5');
    expect(fromScaled(-120n, 0)).toBe('-120');
    expect(fromScaled(10n ** 40n + 1n, 18)).toBe('10000000000000000000000.000000000000000001');
  });

  it('round-trips canonical decimals at any sufficient scale', () => {
    for (const s of ['0', '1', '0.5', '-0.5', '67234.01', '0.00000001', '999999999999999.999999999999999999', '-12.000000000000000001']) {
      for (const scale of [18, 20, 30]) {
        expect(fromScaled(toScaled(s, scale), scale)).toBe(s);
      }
    }
  });

  it('sums exactly and independently of order, where float sums do not', () => {
    // Deterministic pseudo-random sizes with 8 decimals, like BTC sizes.
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values: string[] = [];
    for (let i = 0; i < 5000; i++) {
      values.push(canonicalDecimal((Math.floor(rnd() * 10 ** 10) / 10 ** 8).toFixed(8)));
    }
    values.push('0.1', '0.2', '0.3', '0.00000001', '-0.00000001');
    const sumScaled = (xs: string[]): string => fromScaled(xs.reduce((acc, x) => acc + toScaled(x, 18), 0n), 18);
    const forward = sumScaled(values);
    const backward = sumScaled([...values].reverse());
    const shuffled = [...values];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
    }
    expect(backward).toBe(forward);
    expect(sumScaled(shuffled)).toBe(forward);
    expect(isCanonicalDecimal(forward)).toBe(true);

    // The classic float trap, for contrast: order changes the float result.
    const floats = ['0.1', '0.2', '0.3'];
    expect(floats.reduce((a, x) => a + Number(x), 0)).not.toBe([...floats].reverse().reduce((a, x) => a + Number(x), 0));
    expect(sumScaled(floats)).toBe('0.6');
    expect(sumScaled([...floats].reverse())).toBe('0.6');
  });
});

describe('compareDecimal', () => {
  it.each([
    ['1', '2', -1],
    ['2', '1', 1],
    ['1', '1', 0],
    ['0', '0', 0],
    ['67234.01', '67234.1', -1],
    ['67234.1', '67234.01', 1],
    ['0.00000001', '0', 1],
    ['-0.00000001', '0', -1],
    ['-1', '-2', 1],
    ['-2', '-1', -1],
    ['-0.5', '0.5', -1],
    ['100000000', '99999999.99999999', 1],
    ['100000000', '100000000.000000000000000001', -1],
    ['10', '9.999999999999999999', 1],
    // beyond float precision: a float compare would say these are equal
    ['67234.123456789012345678', '67234.123456789012345677', 1],
    ['9007199254740993', '9007199254740992', 1],
  ] as const)('compareDecimal(%j, %j) = %d', (a, b, r) => {
    expect(compareDecimal(a, b)).toBe(r);
    expect(compareDecimal(b, a)).toBe(-r || 0);
  });

  it('also orders equal values written with different scales', () => {
    expect(compareDecimal('1.5', '1.50')).toBe(0);
  });
});

describe('the fast paths (already canonical text, non-negative comparison)', () => {
  let seed = 3;
  const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(next() * 10))).join('');
  const outcome = (f: () => unknown) => {
    try {
      return { ok: f() };
    } catch (e) {
      return { threw: (e as Error).message };
    }
  };
  /** Decimal-looking text of every shape: signs, leading and trailing zeros, exponents, too many digits, junk. */
  const text = (): string => {
    const sign = ['', '', '', '-', '+'][Math.floor(next() * 5)]!;
    const int = next() < 0.15 ? '0' : digits(Math.floor(next() * 18));
    const frac = next() < 0.5 ? '' : `.${digits(Math.floor(next() * 21))}`;
    const exp = next() < 0.1 ? `e${['', '-', '+'][Math.floor(next() * 3)]}${digits(1 + Math.floor(next() * 2))}` : '';
    const junk = next() < 0.03 ? ['x', ' ', '..', '-0'][Math.floor(next() * 4)]! : '';
    return sign + int + frac + exp + junk;
  };

  it('given 50,000 random texts, then canonicalDecimal gives the general path\'s result or error', () => {
    const extra = ['0', '-0', '-0.5', '0.0', '1.', '.5', '000000000000001', '999999999999999', '1000000000000000', '0.000000000000000001', '0.0000000000000000001'];
    for (const t of [...extra, ...Array.from({ length: 50_000 }, text)]) {
      expect([t, outcome(() => canonicalDecimal(t, 'f'))]).toEqual([t, outcome(() => canonicalDecimalGeneral(t, 'f'))]);
    }
  });

  it('given 50,000 random pairs of canonical decimals of either sign, then compareDecimal equals the scaled-integer comparison', () => {
    const canon = (): string => {
      for (;;) {
        const r = outcome(() => canonicalDecimalGeneral(text()));
        if ('ok' in r) return r.ok as string;
      }
    };
    for (let i = 0; i < 50_000; i++) {
      const a = canon();
      // Equal, a longer fraction with a as its prefix (when within bounds), or unrelated.
      const longer = outcome(() => canonicalDecimalGeneral(a.includes('.') ? `${a}1` : `${a}.1`));
      const b = next() < 0.1 ? a : next() < 0.3 && 'ok' in longer ? (longer.ok as string) : canon();
      expect([a, b, compareDecimal(a, b)]).toEqual([a, b, compareDecimalScaled(a, b)]);
    }
  });
});
