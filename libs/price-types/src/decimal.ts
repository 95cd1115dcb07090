import { ValidationError } from './errors';

/**
 * Canonical decimal strings (decision 3 of the brief): prices and sizes are kept as the venue's own text,
 * normalised to one spelling so that equal values compare equal as strings:
 *   - no exponent, no leading '+', no leading zeros ("0.5", not ".5" or "00.5"),
 *   - no trailing fractional zeros and no trailing '.', ("67234.01", not "67234.01000000"),
 *   - zero is "0" (never "-0").
 * Conversion never goes through a JavaScript number, so no digit is ever lost or invented.
 */

/** Longest accepted input text; a venue number longer than this is hostile, not precise. */
export const MAX_DECIMAL_TEXT = 64;
/** Most digits after the point we keep; no venue quotes BTC finer than 1e-18. */
export const MAX_FRACTION_DIGITS = 18;
/** Most digits before the point; 10^15 is far beyond any price or size a venue sends. */
export const MAX_INTEGER_DIGITS = 15;

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;

/**
 * Parse decimal text (as a venue sent it, string or JSON number text) into canonical form.
 * Accepts an exponent ("1e-8" -> "0.00000001") because JSON numbers may use one; the shift is done on digits.
 * Throws ValidationError('bad_decimal') for anything that is not a finite decimal: "NaN", "Infinity", "",
 * "1.2.3", "0x10", or values with more digits than the bounds above.
 */
export function canonicalDecimal(text: string, field = 'value'): string {
  // Fast path: validators see the same text again at every stage (normalizer, persister, api), already canonical;
  // within the digit bounds the answer is the text itself (a spec checks this against the general path).
  if (typeof text === 'string' && isCanonicalWithinBounds(text)) return text;
  return canonicalDecimalGeneral(text, field);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Already canonical and within the digit bounds: `-?(0|[1-9]\d*)(\.\d*[1-9])?`, not "-0", at most
 * MAX_INTEGER_DIGITS before the point and MAX_FRACTION_DIGITS after. A scan, not a regex: a venue's own text
 * ("97000.12000000") fails at its first trailing zero without backtracking.
 */
function isCanonicalWithinBounds(t: string): boolean {
  const n = t.length;
  let i = t.charCodeAt(0) === 45 ? 1 : 0; // '-'
  const intStart = i;
  if (i >= n) return false;
  if (t.charCodeAt(i) === 48) {
    i++; // a lone '0' integer part
    if (intStart === 1 && i === n) return false; // "-0"
  } else {
    while (i < n && isDigit(t.charCodeAt(i))) i++;
    if (i === intStart) return false;
  }
  if (i - intStart > MAX_INTEGER_DIGITS) return false;
  if (i === n) return true;
  if (t.charCodeAt(i) !== 46) return false; // '.'
  const fracStart = ++i;
  while (i < n && isDigit(t.charCodeAt(i))) i++;
  return i === n && i > fracStart && i - fracStart <= MAX_FRACTION_DIGITS && t.charCodeAt(n - 1) !== 48;
}

/** The general conversion: signs, exponents, leading and trailing zeros, and every refusal. */
export function canonicalDecimalGeneral(text: string, field = 'value'): string {
  if (typeof text !== 'string') throw new ValidationError('wrong_type', field, 'decimal must be text');
  if (text.length === 0 || text.length > MAX_DECIMAL_TEXT) {
    throw new ValidationError('bad_decimal', field, `length ${text.length} outside 1..${MAX_DECIMAL_TEXT}`);
  }
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new ValidationError('bad_decimal', field, `not a decimal: ${JSON.stringify(text.slice(0, 32))}`);
  const sign = m[1] === '-' ? '-' : '';
  let intPart = m[2] ?? '';
  let fracPart = m[3] ?? '';
  if (intPart.length === 0 && fracPart.length === 0) {
    throw new ValidationError('bad_decimal', field, `no digits: ${JSON.stringify(text.slice(0, 32))}`);
  }
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (exp > 0) {
    const shift = fracPart.padEnd(exp, '0');
    intPart += shift.slice(0, exp);
    fracPart = shift.slice(exp);
  } else if (exp < 0) {
    const k = -exp;
    const padded = intPart.padStart(k, '0');
    fracPart = padded.slice(padded.length - k) + fracPart;
    intPart = padded.slice(0, padded.length - k);
  }
  intPart = intPart.replace(/^0+/, '');
  fracPart = fracPart.replace(/0+$/, '');
  if (intPart.length > MAX_INTEGER_DIGITS) {
    throw new ValidationError('out_of_range', field, `more than ${MAX_INTEGER_DIGITS} integer digits`);
  }
  if (fracPart.length > MAX_FRACTION_DIGITS) {
    throw new ValidationError('bad_decimal', field, `more than ${MAX_FRACTION_DIGITS} fraction digits`);
  }
  const body = (intPart || '0') + (fracPart ? `.${fracPart}` : '');
  if (body === '0') return '0';
  return sign + body;
}

/** True when `s` is already canonical (what validators require of events on the log). */
export function isCanonicalDecimal(s: unknown): s is string {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_DECIMAL_TEXT) return false;
  try {
    return canonicalDecimal(s) === s;
  } catch {
    return false;
  }
}

/** Sign of a canonical decimal: -1, 0 or 1. */
export function decimalSign(s: string): -1 | 0 | 1 {
  if (s === '0') return 0;
  return s.startsWith('-') ? -1 : 1;
}

/**
 * Canonical decimal -> integer scaled by 10^scale (exact, BigInt). Digits beyond `scale` are refused rather
 * than rounded, so sums built from this are exact and independent of the order of addition.
 */
export function toScaled(s: string, scale: number): bigint {
  const neg = s.startsWith('-');
  const abs = neg ? s.slice(1) : s;
  const dot = abs.indexOf('.');
  const intPart = dot === -1 ? abs : abs.slice(0, dot);
  const frac = dot === -1 ? '' : abs.slice(dot + 1);
  if (frac.length > scale) throw new ValidationError('bad_decimal', 'value', `${s} has more than ${scale} fraction digits`);
  const v = BigInt(intPart + frac.padEnd(scale, '0'));
  return neg ? -v : v;
}

/** Integer scaled by 10^scale -> canonical decimal string. */
export function fromScaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  const digits = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const intPart = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  const body = frac ? `${intPart}.${frac}` : intPart;
  return body === '0' ? '0' : (neg ? '-' : '') + body;
}

/** Compare two canonical decimals exactly (no float). */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  // Non-negative canonical decimals compare as text: longer integer part is larger, then digit by digit (fraction
  // digits never end in 0, so a fraction that is a prefix of the other is the smaller). No BigInt per call. The
  // same scan as canonicalDecimal's fast path decides; a sign ('-'), or anything else, takes the scaled path.
  if (a.charCodeAt(0) !== 45 && b.charCodeAt(0) !== 45 && isCanonicalWithinBounds(a) && isCanonicalWithinBounds(b)) {
    const ia = a.indexOf('.') === -1 ? a.length : a.indexOf('.');
    const ib = b.indexOf('.') === -1 ? b.length : b.indexOf('.');
    if (ia !== ib) return ia < ib ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  return compareDecimalScaled(a, b);
}

/** The general comparison through scaled integers (any sign). */
export function compareDecimalScaled(a: string, b: string): -1 | 0 | 1 {
  const fa = a.indexOf('.') === -1 ? 0 : a.length - a.indexOf('.') - 1;
  const fb = b.indexOf('.') === -1 ? 0 : b.length - b.indexOf('.') - 1;
  const scale = Math.max(fa, fb);
  const x = toScaled(a, scale);
  const y = toScaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}
