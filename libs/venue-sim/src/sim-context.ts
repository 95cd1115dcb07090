import type { ConnectionHub } from './connection-hub';
import type { Market } from './market';
import type { ResolvedOptions } from './options';
import type { VenueProtocol } from './protocols/venue-protocol';
import type { SideRecord } from './side-record';
import type { SilenceGate } from './silence-gate';
import type { TradeRecord } from './trade-record';
import type { SimCounters } from './types';

/** The simulator's shared state, handed to the parts that act on it (faults, control API, broadcasting). */
export interface SimContext {
  readonly opts: ResolvedOptions;
  readonly markets: readonly Market[];
  readonly marketsByKey: ReadonlyMap<string, Market>;
  readonly records: ReadonlyMap<string, TradeRecord>;
  readonly side: SideRecord;
  readonly hub: ConnectionHub;
  readonly gate: SilenceGate;
  readonly counters: SimCounters;
  /** Cancellers of scheduled work (resends), called on close. */
  readonly cancels: Set<() => void>;
  protocolOf(venue: string): VenueProtocol;
}

export function recordOf(ctx: SimContext, market: Market): TradeRecord {
  const r = ctx.records.get(market.key);
  if (!r) throw new Error(`no record for ${market.key}`);
  return r;
}
