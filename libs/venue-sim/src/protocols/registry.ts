import { binance } from './binance';
import { bitstamp } from './bitstamp';
import { bybit } from './bybit';
import { coinbase } from './coinbase';
import { kraken } from './kraken';
import { okx } from './okx';
import type { VenueProtocol } from './venue-protocol';

/**
 * The venues the simulator can speak. A venue is added by implementing VenueProtocol in protocols/<venue>.ts
 * and listing it here (one line).
 */
const protocols = new Map<string, VenueProtocol>([
  [binance.venue, binance],
  [coinbase.venue, coinbase],
  [kraken.venue, kraken],
  [bitstamp.venue, bitstamp],
  [okx.venue, okx],
  [bybit.venue, bybit],
]);

export function registerProtocol(protocol: VenueProtocol): void {
  if (protocols.has(protocol.venue)) throw new Error(`venue protocol ${protocol.venue} already registered`);
  protocols.set(protocol.venue, protocol);
}

export function getProtocol(venue: string): VenueProtocol {
  const p = protocols.get(venue);
  if (!p) throw new RangeError(`unknown simulated venue ${JSON.stringify(venue)}; known: ${listVenues().join(', ')}`);
  return p;
}

export function listVenues(): string[] {
  return [...protocols.keys()];
}
