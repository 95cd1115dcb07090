import { ValidationError, assertTimeUs, canonicalDecimal, parseJsonNumbersAsText } from '@feed/price-types';

/**
 * Field readers shared by the venue mappers. Frames arrive through parseJsonNumbersAsText, so JSON numbers are
 * their original text here; every reader fails with a ValidationError naming the venue's own field, which becomes
 * the dead-letter reason.
 */
export type Obj = Record<string, unknown>;

/** A required string field. */
export function str(o: Obj, k: string): string {
  const v = o[k];
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  if (typeof v !== 'string') throw new ValidationError('wrong_type', k, `expected string, got ${typeof v}`);
  return v;
}

/** A required decimal (string or JSON-number text), in canonical form. */
export function decimal(v: unknown, k: string): string {
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  if (typeof v !== 'string') throw new ValidationError('wrong_type', k, `expected decimal string, got ${typeof v}`);
  return canonicalDecimal(v, k);
}

/** A required unsigned integer as text (ids, ms times), at most `maxDigits` digits. */
export function uintText(o: Obj, k: string, maxDigits: number): string {
  const v = o[k];
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  if (typeof v !== 'string' || !new RegExp(`^\\d{1,${maxDigits}}$`).test(v)) {
    throw new ValidationError('wrong_type', k, `expected an unsigned integer, got ${JSON.stringify(String(v).slice(0, 24))}`);
  }
  return v;
}

/** A required epoch-milliseconds field, as epoch µs. */
export function msTime(o: Obj, k: string): number {
  return assertTimeUs(Number(uintText(o, k, 14)) * 1000, k);
}

/** A required JSON object. */
export function asObj(v: unknown, field: string): Obj {
  if (v === undefined || v === null) throw new ValidationError('missing_field', field, 'is required');
  if (typeof v !== 'object' || Array.isArray(v)) throw new ValidationError('wrong_type', field, 'expected an object');
  return v as Obj;
}

/** A venue frame's text as a JSON object, numbers kept as their text; anything else is refused. */
export function parseFrame(text: string): Obj {
  const parsed = parseJsonNumbersAsText(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError('not_object', '$', 'frame is not a JSON object');
  return parsed as Obj;
}
