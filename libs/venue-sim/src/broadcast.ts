import type { SimConnection } from './connection';
import { deliver } from './delivery';
import type { Market } from './market';
import type { QuoteSink, TradeSink } from './market-engine';
import { historyOf, quoteRecordOf, recordOf, type SimContext } from './sim-context';
import type { SimTrade } from './types';

/** Largest batch in one message for protocols that batch (Bybit allows 1024; Coinbase batches 250 ms). */
const MAX_BATCH = 100;

/**
 * The market engine's sink: new trades are encoded once, written identically to every connection
 * subscribed to the market, and recorded with the number of connections they reached. Protocols with
 * encodeTrades put a tick's trades in one message; others send one message per trade. A trade that reached
 * nobody (only possible with generateWithoutSubscribers) is not in the record. Trades taken by the gap fault
 * are not sent (sequenced protocols still use up one sequence number per lost message) but kept for REST.
 */
export function tradeSink(ctx: SimContext): TradeSink {
  return (market, trades) => {
    const protocol = ctx.protocolOf(market.venue);
    const stream = protocol.tradeStream(market.symbol);
    const record = recordOf(ctx, market);
    const history = historyOf(ctx, market);
    const sent = skipForOne(ctx, market, skipGap(ctx, market, trades));
    const send = (payload: string, batch: readonly SimTrade[]): void => {
      const n = deliver(market.subscribers, protocol, stream, payload);
      if (n === 0) return;
      for (const trade of batch) {
        record.add(trade, n);
        history.add(trade);
      }
      ctx.counters.tradeFramesSent += n;
    };
    corked(market.subscribers, () => {
      if (protocol.encodeTrades) {
        for (let i = 0; i < sent.length; i += MAX_BATCH) {
          const batch = sent.slice(i, i + MAX_BATCH);
          send(protocol.encodeTrades(batch), batch);
        }
      } else {
        for (const trade of sent) send(protocol.encodeTrade(trade), [trade]);
      }
    });
  };
}

/** Runs `write` with every connection corked, so one tick's frames leave in one socket write per connection. */
function corked(conns: Iterable<SimConnection>, write: () => void): void {
  const held = [...conns];
  for (const c of held) c.cork();
  try {
    write();
  } finally {
    for (const c of held) c.uncork();
  }
}

/** Take the market's pending gap from the front of trades; returns the trades still to send. */
function skipGap(ctx: SimContext, market: Market, trades: SimTrade[]): SimTrade[] {
  if (market.pendingSkips <= 0 || !market.hasOpenSubscriber()) return trades;
  const k = Math.min(market.pendingSkips, trades.length);
  market.pendingSkips -= k;
  const now = Date.now();
  const history = historyOf(ctx, market);
  for (const trade of trades.slice(0, k)) {
    history.add(trade);
    ctx.side.addGap({ venue: market.venue, symbol: market.symbol, tradeId: trade.tradeId, skippedAtMs: now });
    ctx.counters.gapTradesSkipped++;
  }
  for (const conn of market.subscribers) conn.loseMessage(); // one lost message per skipped batch
  return trades.slice(k);
}

/**
 * The gapOne fault: the first pending trades never reach the market's OLDEST subscriber and reach the others only
 * `delayMs` later (after newer trades). With two ingest replicas, one has a hole the other fills late: exactly the
 * case the normalizer must not declare. Recorded when delivered, with the connections they reached.
 */
function skipForOne(ctx: SimContext, market: Market, trades: SimTrade[]): SimTrade[] {
  const p = market.pendingOneSkips;
  if (p.count <= 0 || market.subscribers.size < 2) return trades;
  const k = Math.min(p.count, trades.length);
  p.count -= k;
  const withheld = trades.slice(0, k);
  const [oldest] = market.subscribers;
  const protocol = ctx.protocolOf(market.venue);
  const stream = protocol.tradeStream(market.symbol);
  oldest?.loseMessage();
  const cancel = (): void => clearTimeout(timer);
  const timer = setTimeout(() => {
    ctx.cancels.delete(cancel);
    const others = [...market.subscribers].filter((c) => c !== oldest);
    for (const trade of withheld) {
      const n = deliver(others, protocol, stream, protocol.encodeTrade(trade));
      if (n === 0) continue;
      recordOf(ctx, market).add(trade, n);
      historyOf(ctx, market).add(trade);
      ctx.counters.tradeFramesSent += n;
    }
  }, p.delayMs);
  ctx.cancels.add(cancel);
  return trades.slice(k);
}

/** Quotes: one message per update, broadcast identically to the market's quote subscribers, and recorded. */
export function quoteSink(ctx: SimContext): QuoteSink {
  return (market, quotes) => {
    const protocol = ctx.protocolOf(market.venue);
    if (!protocol.encodeQuote || !protocol.quoteStream) return;
    const stream = protocol.quoteStream(market.symbol);
    const record = quoteRecordOf(ctx, market);
    const encode = protocol.encodeQuote.bind(protocol);
    corked(market.quoteSubscribers, () => {
      for (const quote of quotes) {
        const n = deliver(market.quoteSubscribers, protocol, stream, encode(quote));
        if (n === 0) continue;
        record.add(quote, n);
        ctx.counters.quoteFramesSent += n;
      }
    });
  };
}
