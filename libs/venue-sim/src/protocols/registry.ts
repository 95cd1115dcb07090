import { binance } from './binance';
import type { VenueProtocol } from './venue-protocol';

/**
 * The venues the simulator can speak. Coinbase, Kraken, Bitstamp, OKX and Bybit are added by implementing
 * VenueProtocol in protocols/<venue>.ts and listing it here.
 */
const protocols = new Map<string, VenueProtocol>([[binance.venue, binance]]);

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
