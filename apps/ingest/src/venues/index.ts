import type { VenueId } from '@feed/price-types';
import { binanceAdapter } from './binance';
import { bitstampAdapter } from './bitstamp';
import { bybitAdapter } from './bybit';
import { okxAdapter } from './okx';
import { coinbaseAdapter } from './coinbase';
import { krakenAdapter } from './kraken';
import type { VenueAdapter } from './venue-adapter';

export type { Classified, StreamKey, VenueAdapter, VenueRules } from './venue-adapter';

/** The adapter registry: adding a venue adds one line here (see docs/adding-a-venue.md). */
export const ADAPTERS: Partial<Record<VenueId, VenueAdapter>> = {
  binance: binanceAdapter,
  bitstamp: bitstampAdapter,
  okx: okxAdapter,
  bybit: bybitAdapter,
  coinbase: coinbaseAdapter,
  kraken: krakenAdapter,
};
