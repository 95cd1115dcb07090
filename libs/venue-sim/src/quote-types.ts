/**
 * Best bid/ask (quote) types. Prices and sizes are integer units of 10^-decimals, like trades, so the wire
 * text and the record hold the same digits.
 */

/** One best bid/ask update as the market generated it, before venue encoding. */
export interface SimQuote {
  readonly venue: string;
  readonly symbol: string;
  /** 0-based position in this market's quote sequence. */
  readonly seq: number;
  /** Venue update id (Binance `u`, Bybit `u`, OKX `seqId`): firstQuoteUpdateId + seq, as decimal text. */
  readonly updateId: string;
  readonly bidUnits: number;
  readonly bidQtyUnits: number;
  readonly askUnits: number;
  readonly askQtyUnits: number;
  readonly priceDecimals: number;
  readonly qtyDecimals: number;
  /** Last trade price in units (Coinbase and Kraken tickers carry it). */
  readonly lastUnits: number;
  readonly timeMs: number;
}

/** One entry of the record of quotes sent (delivered to at least one connection). */
export interface RecordedQuote {
  readonly index: number;
  readonly venue: string;
  readonly symbol: string;
  /** The venue's update id when its quote frames carry one (Binance, OKX, Bybit), else null. */
  readonly updateId: string | null;
  /** Canonical decimal text. */
  readonly bid: string;
  readonly bidQty: string;
  readonly ask: string;
  readonly askQty: string;
  /** Wire text as sent. */
  readonly bidRaw: string;
  readonly bidQtyRaw: string;
  readonly askRaw: string;
  readonly askQtyRaw: string;
  readonly timeMs: number;
  readonly deliveredTo: number;
}

/** A trade the `gap` fault generated (its id is used) but did not send; REST endpoints still return it. */
export interface GapRecord {
  readonly venue: string;
  readonly symbol: string;
  readonly tradeId: string;
  readonly skippedAtMs: number;
}
