import type { VenueId } from '@feed/price-types';
import { binanceRest } from './binance';
import { coinbaseRest } from './coinbase';
import { krakenRest } from './kraken';
import { okxRest } from './okx';
import type { RestTradesVenue } from './rest-venue';

export type { RestTradesVenue } from './rest-venue';

/**
 * REST repair endpoints of the venues whose gaps are detectable (libs/price-types gap-detection.ts). Bitstamp and
 * Bybit have REST trade endpoints too, but their gaps cannot be seen, so there is nothing to repair.
 */
export const REST_VENUES: Partial<Record<VenueId, RestTradesVenue>> = {
  binance: binanceRest,
  coinbase: coinbaseRest,
  kraken: krakenRest,
  okx: okxRest,
};
