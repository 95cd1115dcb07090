import type { Rng } from './prng';
import type { MarketSpec } from './price-walk';

export interface QuoteStep {
  readonly bidUnits: number;
  readonly askUnits: number;
  readonly bidQtyUnits: number;
  readonly askQtyUnits: number;
}

/**
 * Best bid/ask around the market's last trade price: a spread of 1-3 ticks placed so that
 * bid <= last trade price <= ask (a quote never contradicts the trades), sizes on the market's size grid.
 */
export class QuoteWalk {
  private readonly maxSteps: number;

  constructor(
    private readonly rng: Rng,
    private readonly spec: MarketSpec,
  ) {
    this.maxSteps = Math.max(1, Math.floor(spec.maxQtyUnits / spec.qtyStepUnits));
  }

  next(lastPriceUnits: number): QuoteStep {
    const spread = 1 + Math.floor(this.rng() * 3);
    const below = Math.floor(this.rng() * (spread + 1)); // 0..spread ticks of the spread below the last price
    const bidUnits = Math.max(1, lastPriceUnits - below);
    return { bidUnits, askUnits: bidUnits + spread, bidQtyUnits: this.size(), askQtyUnits: this.size() };
  }

  private size(): number {
    const steps = 1 + Math.floor(-Math.log(1 - this.rng()) * 200);
    return Math.min(steps, this.maxSteps) * this.spec.qtyStepUnits;
  }
}
