import { mulberry32 } from '@feed/venue-sim';
import { limbText, notionalLimbText, notionalScaled, volumeLimbText, volumeScaled } from './candle-math';

/** A canonical positive decimal with up to `intDigits` integer and `fracDigits` fraction digits. */
function decimal(rand: () => number, intDigits: number, fracDigits: number): string {
  const int = String(Math.floor(rand() * 10 ** Math.ceil(rand() * intDigits)));
  const fl = Math.floor(rand() * (fracDigits + 1));
  let frac = '';
  for (let i = 0; i < fl; i++) frac += String(Math.floor(rand() * 10));
  frac = frac.replace(/0+$/, '');
  const d = frac ? `${int}.${frac}` : int;
  return d === '0' ? '0.00000001' : d;
}

describe('candle limbs without BigInt (the apply arguments of every trade)', () => {
  it('give exactly the BigInt limbs for 20,000 random prices and sizes, small and huge', () => {
    const rand = mulberry32(2026);
    for (let i = 0; i < 20_000; i++) {
      // every few draws an extreme: 18 fraction digits or 15 integer digits, so both the fast path and the fallback run
      const wide = i % 7 === 0;
      const price = decimal(rand, wide ? 15 : 6, wide ? 18 : 8);
      const size = decimal(rand, wide ? 12 : 3, wide ? 18 : 8);
      expect(volumeLimbText(size)).toBe(limbText(volumeScaled(size)));
      expect(notionalLimbText(price, size)).toBe(limbText(notionalScaled(price, size)));
    }
  });

  it('Given whole numbers and the 2^53 boundary When limbed Then the text matches BigInt', () => {
    for (const [p, q] of [['1', '1'], ['60000', '2'], ['9007199254740991', '1'], ['9007199254740993', '1'], ['94906267', '94906267'], ['0.1', '0.000000000000000001']]) {
      expect(notionalLimbText(p as string, q as string)).toBe(limbText(notionalScaled(p as string, q as string)));
      expect(volumeLimbText(q as string)).toBe(limbText(volumeScaled(q as string)));
    }
  });
});
