import { deliver } from './delivery';
import type { TradeSink } from './market-engine';
import { recordOf, type SimContext } from './sim-context';

/**
 * The market engine's sink: each new trade is encoded once, written identically to every connection
 * subscribed to its market, and recorded with the number of connections it reached. A trade that reached
 * nobody (only possible with generateWithoutSubscribers) is not in the record.
 */
export function tradeSink(ctx: SimContext): TradeSink {
  return (market, trades) => {
    const protocol = ctx.protocolOf(market.venue);
    const stream = protocol.tradeStream(market.symbol);
    const record = recordOf(ctx, market);
    for (const trade of trades) {
      const n = deliver(market.subscribers, protocol, stream, protocol.encodeTrade(trade));
      if (n > 0) {
        record.add(trade, n);
        ctx.counters.tradeFramesSent += n;
      }
    }
  };
}
