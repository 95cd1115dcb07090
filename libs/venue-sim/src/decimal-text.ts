/**
 * Decimal text from integer units, built digit by digit (never through a float), so that what goes on the
 * wire and what the record holds are exactly the same digits.
 */

/**
 * Fixed-point text of `units` x 10^-decimals written with `wireDecimals` fraction digits (trailing zeros kept),
 * e.g. fixedText(6723401, 2, 8) === "67234.01000000". Requires 0 <= decimals <= wireDecimals.
 */
export function fixedText(units: number, decimals: number, wireDecimals: number): string {
  if (!Number.isSafeInteger(units)) throw new RangeError(`units must be a safe integer, got ${units}`);
  if (decimals < 0 || wireDecimals < decimals) throw new RangeError(`bad decimals ${decimals}/${wireDecimals}`);
  const negative = units < 0;
  const digits = String(negative ? -units : units).padStart(decimals + 1, '0');
  const intPart = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals) + '0'.repeat(wireDecimals - decimals);
  const sign = negative ? '-' : '';
  return wireDecimals === 0 ? sign + intPart : `${sign}${intPart}.${frac}`;
}

/** Canonical form of plain decimal text: trailing fractional zeros and a bare point removed ("1.500" -> "1.5"). */
export function canonicalText(text: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new RangeError(`not plain decimal text: ${JSON.stringify(text)}`);
  let t = text;
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

/** Canonical text straight from integer units: canonicalUnits(6723400, 2) === "67234". */
export function canonicalUnits(units: number, decimals: number): string {
  return canonicalText(fixedText(units, decimals, decimals));
}

/** Parse plain decimal text ("67000.5") into integer units of 10^-decimals; throws if it needs more digits. */
export function unitsOf(text: string, decimals: number): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a positive decimal: ${JSON.stringify(text)}`);
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > decimals) throw new RangeError(`${text} has more than ${decimals} fraction digits`);
  const units = Number((m[1] ?? '0') + frac.padEnd(decimals, '0'));
  if (!Number.isSafeInteger(units)) throw new RangeError(`${text} is too large`);
  return units;
}
