import { ValidationError } from './errors';

/**
 * Canonical symbols are BASE-QUOTE in upper case: "BTC-USD", "BTC-USDT". The quote currency is part of the
 * identity: BTC-USD (Coinbase, Kraken, Bitstamp) is NOT BTC-USDT (Binance, OKX, Bybit), and nothing in Feed
 * converts one into the other implicitly. Each venue mapper translates its own spelling (BTCUSDT, BTC/USD,
 * btcusd, ...) into this form.
 */
export type Symbol = string;

const SYMBOL_RE = /^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$/;

export function isSymbol(v: unknown): v is Symbol {
  return typeof v === 'string' && SYMBOL_RE.test(v);
}

export function assertSymbol(v: unknown, field = 'symbol'): Symbol {
  if (!isSymbol(v)) throw new ValidationError('bad_symbol', field, `not a canonical BASE-QUOTE symbol: ${JSON.stringify(v)}`);
  return v;
}

/** Build a canonical symbol from base and quote assets ("btc", "usdt" -> "BTC-USDT"). */
export function symbolOf(base: string, quote: string): Symbol {
  return assertSymbol(`${base.toUpperCase()}-${quote.toUpperCase()}`);
}

export function splitSymbol(s: Symbol): { base: string; quote: string } {
  const [base, quote] = assertSymbol(s).split('-') as [string, string];
  return { base, quote };
}
