import type { VenueId } from '@feed/price-types';
import { binanceMapper } from './binance';
import { bitstampMapper } from './bitstamp';
import { bybitMapper } from './bybit';
import { okxMapper } from './okx';
import { coinbaseMapper } from './coinbase';
import { krakenMapper } from './kraken';
import type { VenueMapper } from './mapper';

export type { MapResult, RawFrame, VenueMapper } from './mapper';

/** The mapper registry: adding a venue adds one line here (see docs/adding-a-venue.md). */
export const MAPPERS: Partial<Record<VenueId, VenueMapper>> = {
  binance: binanceMapper,
  bitstamp: bitstampMapper,
  okx: okxMapper,
  bybit: bybitMapper,
  coinbase: coinbaseMapper,
  kraken: krakenMapper,
};
