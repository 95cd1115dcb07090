import { usFromIso } from '@feed/price-types';
import { BadRequestError } from '../errors';
import type { Query } from './params';

/** Longest history range one request may ask for: one value per second, so this bounds the answer too. */
export const INDEX_RANGE_MAX_S = 3_600;
/** Range when `from` is not given: the last five minutes before `to`. */
export const INDEX_RANGE_DEFAULT_S = 300;

function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequestError(`${name} must be given once, as a plain value`, name);
  return v;
}

/** A time parameter: ISO-8601 UTC ("2026-11-29T08:02:13Z") or integer epoch seconds; -> epoch seconds (floor). */
export function parseTimeParam(q: Query, name: string): number | undefined {
  const s = single(q, name);
  if (s === undefined) return undefined;
  if (/^\d{9,11}$/.test(s)) return Number(s);
  try {
    return Math.floor(usFromIso(s, name) / 1e6);
  } catch {
    throw new BadRequestError(`${name} must be an ISO-8601 UTC time (e.g. 2026-11-29T08:02:13Z) or epoch seconds`, name);
  }
}

/**
 * `from`/`to` of GET /v1/index/history: both optional (to = now, from = to - 5 min), from <= to, at most
 * INDEX_RANGE_MAX_S seconds apart. Returns epoch seconds, inclusive.
 */
export function parseIndexRange(q: Query, nowS: number): { from: number; to: number } {
  const to = parseTimeParam(q, 'to') ?? nowS;
  const from = parseTimeParam(q, 'from') ?? to - INDEX_RANGE_DEFAULT_S;
  if (from > to) throw new BadRequestError('from must not be after to', 'from');
  if (to - from > INDEX_RANGE_MAX_S) throw new BadRequestError(`from..to spans more than ${INDEX_RANGE_MAX_S} s; ask in smaller ranges`, 'from');
  return { from, to };
}
