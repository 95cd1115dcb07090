import { ConnectionHub } from './connection-hub';
import { Market } from './market';
import type { ResolvedOptions } from './options';
import { getProtocol } from './protocols/registry';
import { QuoteRecord } from './quote-record';
import { SideRecord } from './side-record';
import { SilenceGate } from './silence-gate';
import type { SimContext } from './sim-context';
import { TradeHistory } from './trade-history';
import { TradeRecord } from './trade-record';
import { newCounters } from './types';

/** The simulator's state for resolved options: one market, trade record, quote record and REST history per venue-symbol. */
export function buildContext(options: ResolvedOptions): SimContext {
  const markets: Market[] = [];
  const records = new Map<string, TradeRecord>();
  const quoteRecords = new Map<string, QuoteRecord>();
  const histories = new Map<string, TradeHistory>();
  for (const v of options.venues) {
    for (const symbol of v.symbols) {
      const spec = options.marketSpecs[symbol] ?? v.protocol.specFor(symbol);
      const m = new Market({ venue: v.protocol.venue, symbol, spec, seed: options.seed, firstTradeId: options.firstTradeId, rate: options.rate, maxTrades: options.maxTrades, quoteRate: options.quoteRate, firstQuoteUpdateId: options.firstTradeId });
      markets.push(m);
      const wire = { price: v.protocol.wirePrice, qty: v.protocol.wireQty };
      records.set(m.key, new TradeRecord(m.venue, symbol, options.firstTradeId, spec.priceDecimals, spec.qtyDecimals, wire, options.recordCap));
      quoteRecords.set(m.key, new QuoteRecord(wire, v.protocol.quoteUpdateIds === true, options.recordCap));
      histories.set(m.key, new TradeHistory(options.restHistoryCap));
    }
  }
  const marketsByKey = new Map(markets.map((m) => [m.key, m]));
  const gate = new SilenceGate();
  const counters = newCounters();
  const stall = { stalledUntilMs: 0 };
  return {
    opts: options,
    markets,
    marketsByKey,
    records,
    quoteRecords,
    histories,
    stall,
    reject429: { remaining: 0, retryAfterS: 0 },
    restReject429: { remaining: 0, retryAfterS: 0 },
    side: new SideRecord(options.sideRecordCap),
    hub: new ConnectionHub(marketsByKey, gate, counters, stall),
    gate,
    counters,
    cancels: new Set(),
    protocolOf: getProtocol,
  };
}
