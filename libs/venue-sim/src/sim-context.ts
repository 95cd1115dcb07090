import type { ConnectionHub } from './connection-hub';
import type { Market } from './market';
import type { ResolvedOptions } from './options';
import type { VenueProtocol } from './protocols/venue-protocol';
import type { SideRecord } from './side-record';
import type { SilenceGate } from './silence-gate';
import type { QuoteRecord } from './quote-record';
import type { TradeHistory } from './trade-history';
import type { TradeRecord } from './trade-record';
import type { SimCounters } from './types';
import type { HeartbeatStall } from './venue-keepalive';

/** The simulator's shared state, handed to the parts that act on it (faults, control API, broadcasting). */
export interface SimContext {
  readonly opts: ResolvedOptions;
  readonly markets: readonly Market[];
  readonly marketsByKey: ReadonlyMap<string, Market>;
  readonly records: ReadonlyMap<string, TradeRecord>;
  readonly quoteRecords: ReadonlyMap<string, QuoteRecord>;
  /** Per market: recent trades sent or gap-skipped, for the REST endpoints. */
  readonly histories: ReadonlyMap<string, TradeHistory>;
  /** The stallHeartbeats fault. */
  readonly stall: HeartbeatStall;
  /** The reject429 fault: upgrades still to refuse and the Retry-After they carry. */
  readonly reject429: { remaining: number; retryAfterS: number };
  /** The restReject429 fault: REST trade requests still to refuse with 429 and the Retry-After they carry. */
  readonly restReject429: { remaining: number; retryAfterS: number };
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

export function quoteRecordOf(ctx: SimContext, market: Market): QuoteRecord {
  const r = ctx.quoteRecords.get(market.key);
  if (!r) throw new Error(`no quote record for ${market.key}`);
  return r;
}

export function historyOf(ctx: SimContext, market: Market): TradeHistory {
  const h = ctx.histories.get(market.key);
  if (!h) throw new Error(`no history for ${market.key}`);
  return h;
}
