import { ValidationError, assertTimeUs, canonicalDecimal, parseJsonNumbersAsText } from '@feed/price-types';

/**
 * Field readers shared by the venue mappers. Frames arrive through parseJsonNumbersAsText, so JSON numbers are
 * their original text here; every reader fails with a ValidationError naming the venue's own field, which becomes
 * the dead-letter reason.
 */
export type Obj = Record<string, unknown>;

/**
 * Frames parsed with `parseFrame(text, { typed: true })` carry this private-use character in front of every JSON
 * number's text, so `str()` can refuse a number where the venue documents a string (hostile frames: a numeric
 * trade id must not pass as one), while `decimal()` and `uintText()` take either.
 */
const NUM_MARK = '\uE000';

function isMarked(v: unknown): v is string {
  return typeof v === 'string' && v.charCodeAt(0) === 0xe000;
}

function unmark(v: unknown): unknown {
  return isMarked(v) ? v.slice(1) : v;
}

/** A required string field. */
export function str(o: Obj, k: string): string {
  const v = o[k];
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  if (typeof v !== 'string') throw new ValidationError('wrong_type', k, `expected string, got ${typeof v}`);
  if (isMarked(v)) throw new ValidationError('wrong_type', k, 'expected string, got number');
  return v;
}

/** A required decimal (string or JSON-number text), in canonical form. */
export function decimal(raw: unknown, k: string): string {
  const v = unmark(raw);
  if (v === undefined || v === null) throw new ValidationError('missing_field', k, 'is required');
  if (typeof v !== 'string') throw new ValidationError('wrong_type', k, `expected decimal string, got ${typeof v}`);
  return canonicalDecimal(v, k);
}

/** A required unsigned integer as text (ids, ms times), at most `maxDigits` digits. */
export function uintText(o: Obj, k: string, maxDigits: number): string {
  const v = unmark(o[k]);
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

/**
 * A venue frame's text as a JSON object, numbers kept as their text; anything else is refused. `typed`: numbers are
 * marked (see NUM_MARK) for venues whose documented fields are all strings except the ones read with
 * decimal()/uintText(), so a number where a string belongs is refused as wrong_type.
 */
export function parseFrame(text: string, opts: { typed?: boolean } = {}): Obj {
  const parsed = parseJsonNumbersAsText(text, opts.typed ? NUM_MARK : '');
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ValidationError('not_object', '$', 'frame is not a JSON object');
  return parsed as Obj;
}
