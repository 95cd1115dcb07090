import { compareDecimal, fromScaled, toScaled } from '@feed/price-types';
import type { IndexMinuteV1 } from '@feed/projections';

/** Enough fraction digits for any index price (a mean of two mids has at most 20). */
const SCALE = 20;

export interface IndexStats {
  open: string;
  high: string;
  low: string;
  last: string;
  /** last - open, exact. */
  change: string;
  /** change / open in percent, rounded half away from zero to 4 decimals. */
  changePct: string;
  /** Seconds with a value in the window. */
  seconds: number;
}

/** a / b rounded half away from zero (b > 0). */
function roundDiv(a: bigint, b: bigint): bigint {
  const q = (2n * (a < 0n ? -a : a) + b) / (2n * b);
  return a < 0n ? -q : q;
}

/**
 * Rolling statistics over minute bars (oldest first): open of the first, close of the last, extremes of all.
 * Pure and exact; undefined when there is no bar.
 */
export function statsFromMinutes(bars: readonly IndexMinuteV1[]): IndexStats | undefined {
  const first = bars[0];
  const lastBar = bars[bars.length - 1];
  if (!first || !lastBar) return undefined;
  const high = bars.map((b) => b.high).reduce((a, b) => (compareDecimal(b, a) > 0 ? b : a));
  const low = bars.map((b) => b.low).reduce((a, b) => (compareDecimal(b, a) < 0 ? b : a));
  const open = toScaled(first.open, SCALE);
  const change = toScaled(lastBar.close, SCALE) - open;
  return {
    open: first.open,
    high,
    low,
    last: lastBar.close,
    change: fromScaled(change, SCALE),
    changePct: fromScaled(roundDiv(change * 1_000_000n, open), 4),
    seconds: bars.reduce((n, b) => n + b.n, 0),
  };
}
