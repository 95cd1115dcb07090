import { isSymbol } from '@feed/price-types';
import { BadRequestError, UnknownSymbolError } from '../errors';

export type Query = Readonly<Record<string, unknown>>;

export const TRADES_LIMIT_DEFAULT = 100;
export const TRADES_LIMIT_MAX = 1000;

/** One string value; a repeated parameter (`?symbol=a&symbol=b`) or a nested one is malformed, not "first wins". */
function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequestError(`${name} must be given once, as a plain value`, name);
  return v;
}

/**
 * `symbol`: required, canonical BASE-QUOTE (malformed -> 400), and served by this deployment (else 404). Case is
 * not folded: "btc-usdt" is malformed rather than silently another spelling of a key.
 */
export function parseSymbol(q: Query, known: ReadonlySet<string>): string {
  const s = single(q, 'symbol');
  if (s === undefined || s === '') throw new BadRequestError('symbol is required, e.g. symbol=BTC-USDT', 'symbol');
  if (!isSymbol(s as unknown)) throw new BadRequestError(`symbol ${JSON.stringify(s.slice(0, 40))} is not a canonical BASE-QUOTE symbol`, 'symbol');
  if (!known.has(s)) throw new UnknownSymbolError(`symbol ${s} is not served here (known: ${[...known].join(', ')})`, 'symbol');
  return s;
}

/** `limit`: optional integer 1..1000 written in plain digits (no sign, exponent, fraction or padding tricks). */
export function parseLimit(q: Query): number {
  const s = single(q, 'limit');
  if (s === undefined) return TRADES_LIMIT_DEFAULT;
  if (!/^[1-9]\d{0,3}$/.test(s) || Number(s) > TRADES_LIMIT_MAX) {
    throw new BadRequestError(`limit must be an integer from 1 to ${TRADES_LIMIT_MAX}`, 'limit');
  }
  return Number(s);
}
