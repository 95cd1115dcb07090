/**
 * @feed/venue-sim: the venue simulator used by tests, the benchmark and the offline local stack instead of
 * real venues. See simulator.ts (VenueSim), protocols/venue-protocol.ts (adding a venue) and control-api.ts.
 */
export { startVenueSim, VenueSim, type ResendHandle } from './simulator';
export { resolveOptions, parseTradeId, DEFAULT_FIRST_TRADE_ID, DEFAULT_RECORD_CAP, DEFAULT_OVERSIZE_BYTES } from './options';
export type { VenueSimOptions, ResolvedOptions, ResolvedVenue, ResolvedKeepalive, VenueKeepaliveOptions } from './options';
export type { SimQuote, RecordedQuote, GapRecord } from './quote-types';
export type { HostileReport, ResendReport } from './faults';
export { HOSTILE_KINDS, isHostileKind } from './types';
export type {
  HostileKind,
  HostileFrameRecord,
  MarketStats,
  MarketSummary,
  RecordedTrade,
  ResendRecord,
  SimCounters,
  SimStats,
  SimTrade,
} from './types';
export type { MarketSpec } from './price-walk';
export { BTC_SPEC, defaultSpecFor } from './price-walk';
export { getProtocol, listVenues, registerProtocol } from './protocols/registry';
export type {
  AcceptResult,
  ClientMessageResult,
  ConnectionView,
  HeartbeatRule,
  RestTradesEndpoint,
  RestTradesRequest,
  ConnectionLimits,
  KeepaliveRules,
  SessionView,
  StreamTarget,
  VenueProtocol,
} from './protocols/venue-protocol';
export { SEQ_MARK } from './protocols/venue-protocol';
export { binance } from './protocols/binance';
export { coinbase } from './protocols/coinbase';
export { kraken } from './protocols/kraken';
export { bitstamp } from './protocols/bitstamp';
export { okx } from './protocols/okx';
export { bybit } from './protocols/bybit';
export { canonicalText, fixedText } from './decimal-text';
export { CLI_SETTINGS, CliError, cliUsage, envName, parseCliArgs, type CliParseResult } from './cli-options';
export { mulberry32, type Rng } from './prng';
