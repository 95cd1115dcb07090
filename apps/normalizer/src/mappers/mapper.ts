import type { MarketEventV1, Source, VenueId } from '@feed/price-types';

/** One venue frame as ingest stored it on RAW (payload bytes + headers). */
export interface RawFrame {
  venue: VenueId;
  /** Channel token of the RAW subject (trade, quote, status, other). */
  channel: string;
  /** Receive time from the RAW header, epoch µs. */
  recvTimeUs: number;
  source: Source;
  text: string;
}

/**
 * Result of mapping one frame: zero or more normalized events, or an `ignored` reason for frames that carry no
 * market data (subscription acks, pongs, unknown message types), which are counted and skipped, not poison.
 * Invalid market data throws ValidationError and is dead-lettered by the consumer loop.
 */
export interface MapResult {
  events: MarketEventV1[];
  ignored?: string;
  /**
   * Venue fills each event stands for, parallel to `events`, when a venue aggregates (OKX `count`); absent = 1
   * each. The gap tracker uses it: an OKX trade with id N and count C covers ids N-C+1 .. N.
   */
  fills?: number[];
}

/** A pure function per venue: raw frame -> normalized events. No I/O, no clock, no state. */
export interface VenueMapper {
  venue: VenueId;
  map(frame: RawFrame): MapResult;
}
