import type { VenueId } from '@feed/price-types';
import { binanceMapper } from './binance';
import type { VenueMapper } from './mapper';

export type { MapResult, RawFrame, VenueMapper } from './mapper';

/** The mapper registry: adding a venue adds one line here (see docs/adding-a-venue.md). */
export const MAPPERS: Partial<Record<VenueId, VenueMapper>> = {
  binance: binanceMapper,
};
