import { fromScaled, toScaled } from '@feed/price-types';

/**
 * Exact, order-independent candle sums (decision 3). Volume is kept as an integer scaled by 10^18 (every canonical
 * size fits: at most 18 fraction digits) and notional (price x size) scaled by 10^36. Such integers exceed what a
 * Lua number (a double, exact to 2^53) or a Redis integer (int64) holds, so each trade's value is split into base
 * 10^9 limbs; the apply script adds limb i of every trade into hash field `<prefix><i>` with HINCRBY (int64: 9e9
 * maximal limbs before overflow, no carries needed). A reader recombines sum(limb_i x 10^(9 i)) with BigInt.
 */
export const VOLUME_SCALE = 18;
export const NOTIONAL_SCALE = 36;
/** Fraction digits of a VWAP as served (rounded half up). */
export const VWAP_DECIMALS = 12;

const LIMB = 1_000_000_000n;

/** Non-zero base-1e9 limbs of a non-negative integer as the apply script reads them: "i:v,i:v" (empty for 0). */
export function limbText(v: bigint): string {
  if (v < 0n) throw new RangeError('limbs of a negative value');
  const out: string[] = [];
  for (let i = 0; v > 0n; i++, v /= LIMB) {
    const limb = v % LIMB;
    if (limb !== 0n) out.push(`${i}:${limb}`);
  }
  return out.join(',');
}

/** Recombines limb fields `<prefix><i>` of a bar hash (any magnitude, as HINCRBY left them) into one integer. */
export function fromLimbFields(hash: Readonly<Record<string, string>>, prefix: string): bigint {
  let total = 0n;
  for (const [field, value] of Object.entries(hash)) {
    if (field.length < 2 || field[0] !== prefix || !/^\d+$/.test(field.slice(1))) continue;
    total += BigInt(value) * LIMB ** BigInt(field.slice(1));
  }
  return total;
}

/** "i:v,i:v" limbs of an integer given as its decimal digits (leading zeros allowed), without BigInt. */
function limbTextOfDigits(digits: string): string {
  const out: string[] = [];
  for (let end = digits.length, i = 0; end > 0; end -= 9, i++) {
    const limb = Number(digits.slice(Math.max(0, end - 9), end));
    if (limb !== 0) out.push(`${i}:${limb}`);
  }
  return out.join(',');
}

/** A canonical non-negative decimal as (integer digits, fraction length); undefined when it is negative. */
function splitDecimal(d: string): { digits: string; frac: number } | undefined {
  if (d.startsWith('-')) return undefined;
  const dot = d.indexOf('.');
  return dot === -1 ? { digits: d, frac: 0 } : { digits: d.slice(0, dot) + d.slice(dot + 1), frac: d.length - dot - 1 };
}

/**
 * limbText(volumeScaled(size)) without BigInt (the apply arguments of every trade, on the persister's and the
 * replay's hot path): the scaled integer is the size's digits followed by zeros, cut into 9-digit limbs.
 */
export function volumeLimbText(size: string): string {
  const s = splitDecimal(size);
  if (!s || s.frac > VOLUME_SCALE) return limbText(volumeScaled(size));
  return limbTextOfDigits(s.digits + '0'.repeat(VOLUME_SCALE - s.frac));
}

/**
 * limbText(notionalScaled(price, size)) without BigInt when the product of the two digit strings is a safe integer
 * (BTC prices and sizes: nearly always), else through BigInt. A double product of two safe integers is exact when
 * the true product is at most 2^53 - 1, and at least 2^53 otherwise, so the check never accepts a rounded value.
 */
export function notionalLimbText(price: string, size: string): string {
  const p = splitDecimal(price);
  const q = splitDecimal(size);
  if (!p || !q || p.frac > VOLUME_SCALE || q.frac > VOLUME_SCALE) return limbText(notionalScaled(price, size));
  const a = Number(p.digits);
  const b = Number(q.digits);
  const product = a * b;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(product)) return limbText(notionalScaled(price, size));
  if (product === 0) return '';
  return limbTextOfDigits(String(product) + '0'.repeat(NOTIONAL_SCALE - p.frac - q.frac));
}

export function volumeScaled(size: string): bigint {
  return toScaled(size, VOLUME_SCALE);
}

export function notionalScaled(price: string, size: string): bigint {
  return toScaled(price, VOLUME_SCALE) * toScaled(size, VOLUME_SCALE);
}

/** notional / volume as a canonical decimal with at most VWAP_DECIMALS fraction digits (half up); null when no volume. */
export function vwapOf(notional: bigint, volume: bigint): string | null {
  if (volume <= 0n) return null;
  // notional is scaled 10^36 and volume 10^18: the quotient is the price scaled 10^18; keep VWAP_DECIMALS + 1 digits.
  const shift = 10n ** BigInt(VOLUME_SCALE - VWAP_DECIMALS);
  const q = notional / volume;
  const rounded = (q + shift / 2n) / shift;
  return fromScaled(rounded, VWAP_DECIMALS);
}

export function volumeText(volume: bigint): string {
  return fromScaled(volume, VOLUME_SCALE);
}
