import { type Rng } from './prng';
import { unitsOf } from './decimal-text';

/** Shape of one simulated market: price grid, size grid and where the walk starts. */
export interface MarketSpec {
  /** Start price as decimal text, e.g. "67000". */
  readonly startPrice: string;
  /** Price tick is 10^-priceDecimals (2 -> 0.01). */
  readonly priceDecimals: number;
  /** Sizes are integers of 10^-qtyDecimals (8 -> satoshi). */
  readonly qtyDecimals: number;
  /** Size step in qty units (1000 -> 0.00001 BTC, Binance's BTCUSDT lot step). */
  readonly qtyStepUnits: number;
  /** Largest size in qty units (50_000_000 -> 0.5 BTC). */
  readonly maxQtyUnits: number;
}

export const BTC_SPEC: MarketSpec = {
  startPrice: '67000',
  priceDecimals: 2,
  qtyDecimals: 8,
  qtyStepUnits: 1000,
  maxQtyUnits: 50_000_000,
};

/** A plausible start price per base asset, so an ETH market does not trade at 67,000. */
export function defaultSpecFor(symbol: string): MarketSpec {
  const s = symbol.toUpperCase();
  if (s.startsWith('ETH')) return { ...BTC_SPEC, startPrice: '3500', maxQtyUnits: 500_000_000 };
  if (s.startsWith('BTC') || s.startsWith('XBT')) return BTC_SPEC;
  return { ...BTC_SPEC, startPrice: '100' };
}

export interface WalkStep {
  readonly priceUnits: number;
  readonly qtyUnits: number;
  readonly buyerIsMaker: boolean;
}

/**
 * A mean-reverting random walk on the tick grid: most trades print at the same price or one tick away,
 * a few jump several ticks; drift away from the start price is pulled back so that millions of trades stay
 * within a few percent of it. Sizes are mostly small (exponential) with occasional large prints.
 */
export class PriceWalk {
  private price: number;
  private readonly start: number;
  private readonly maxSteps: number;

  constructor(
    private readonly rng: Rng,
    readonly spec: MarketSpec,
  ) {
    this.start = unitsOf(spec.startPrice, spec.priceDecimals);
    if (this.start <= 0) throw new RangeError('startPrice must be positive');
    if (spec.qtyStepUnits <= 0 || spec.maxQtyUnits < spec.qtyStepUnits) throw new RangeError('bad size grid');
    this.price = this.start;
    this.maxSteps = Math.floor(spec.maxQtyUnits / spec.qtyStepUnits);
  }

  get currentPriceUnits(): number {
    return this.price;
  }

  next(): WalkStep {
    const r = this.rng();
    let ticks = 0;
    if (r >= 0.45) ticks = r < 0.85 ? 1 : 1 + Math.floor(this.rng() * 12);
    if (ticks > 0) {
      const drift = (this.price - this.start) / this.start; // e.g. +0.01 = 1 % above start
      const upProbability = Math.min(0.9, Math.max(0.1, 0.5 - drift * 20));
      this.price += this.rng() < upProbability ? ticks : -ticks;
      if (this.price < 1) this.price = 1;
    }
    const u = this.rng();
    let steps: number;
    if (u < 0.01) steps = 1 + Math.floor(this.rng() * this.maxSteps);
    else steps = 1 + Math.floor(-Math.log(1 - this.rng()) * 60);
    if (steps > this.maxSteps) steps = this.maxSteps;
    return { priceUnits: this.price, qtyUnits: steps * this.spec.qtyStepUnits, buyerIsMaker: this.rng() < 0.5 };
  }
}
