import { isoFromUs, type TradeV1 } from '@feed/price-types';

/**
 * The legacy "BTC Live Feed v3" formats, byte for byte (../shared/reference/legacy-v3-contract.md). The old
 * feed was Python: prices and volumes went through float and json.dumps, so entries look like
 *   {"price": 60001.26, "timestamp": "2026-11-29T08:02:13.010918+00:00", "volume": 0.01}
 * (", " and ": " separators, floats in Python's repr, "+00:00" offsets with microseconds). Unlike the old feed,
 * Feed stamps the VENUE's trade time, not local receive time.
 */

/**
 * Python's float repr for a decimal string: shortest round-trip digits (as JavaScript's), but exponent form when
 * the decimal exponent is < -4 or >= 16 ("1e-05", "1.5e+16"), and integral values keep ".0" ("60001.0").
 */
export function pyFloatRepr(decimal: string): string {
  const x = Number(decimal);
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${decimal}`);
  // Fast path (every price and almost every size): for 1e-4 <= |x| < 1e16 the shortest digits' exponent is within
  // [-4, 15], where Python is positional, and JavaScript is positional up to 1e21, so one String() is the answer.
  // The bounds are exact doubles (or the nearest double of 1e-4, which prints as "0.0001"), so no value inside
  // can round across them. Three calls per trade in the persister: ~100-180 ns here against 790-870 ns for the
  // toExponential(), split and String() of the general rule.
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e16) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  return pyFloatReprByExponent(x);
}

/** The general rule, from the exponent of the shortest digits: zero, tiny and huge values. */
export function pyFloatReprByExponent(x: number): string {
  const [mant = '0', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/**
 * The old feed's timestamp: "2026-11-29T08:02:13.010918+00:00" (Python isoformat of an aware UTC datetime).
 * Python drops ".000000" when the microseconds are exactly zero; the old feed stamped its local clock, so that was
 * a one-in-a-million case, while venue times in milliseconds hit it once per thousand trades. Feed always writes
 * the six digits, so strict parsers of the old format (strptime with %f) keep working.
 */
export function legacyTimestamp(us: number): string {
  return `${isoFromUs(us).slice(0, 26)}+00:00`;
}

/** One `btc_movement_history` entry (also the `btc_price` pub/sub message). */
export function legacyHistoryEntry(t: TradeV1, includeExchange: boolean): string {
  const base = `{"price": ${pyFloatRepr(t.price)}, "timestamp": "${legacyTimestamp(t.venueTimeUs)}", "volume": ${pyFloatRepr(t.size)}`;
  return includeExchange ? `${base}, "exchange": "${t.venue}"}` : `${base}}`;
}

/** `last_btc_price`: Python str(float) of the price, e.g. "60001.26". */
export function legacyLastPrice(t: TradeV1): string {
  return pyFloatRepr(t.price);
}

/**
 * `last_btc_update_time`: epoch seconds with a six-digit fraction ("1795939333.010927"), from the venue trade
 * time; exact integer arithmetic, no float. (The old feed wrote str(time.time()); readers parse it as a float.)
 */
export function legacyUpdateTime(t: TradeV1): string {
  const secs = Math.floor(t.venueTimeUs / 1_000_000);
  return `${secs}.${String(t.venueTimeUs - secs * 1_000_000).padStart(6, '0')}`;
}
