import { recordOf, type SimContext } from './sim-context';
import type { MarketSummary, SimStats } from './types';

/** Per market: what the record holds, resends and hostile frames (GET /record/summary). */
export function recordSummary(ctx: SimContext): MarketSummary[] {
  return ctx.markets.map((m) => {
    const r = recordOf(ctx, m);
    return {
      venue: m.venue,
      symbol: m.symbol,
      count: r.count,
      firstTradeId: r.firstTradeIdText,
      lastTradeId: r.lastTradeIdText,
      lastPrice: r.lastPriceCanonical(),
      resends: ctx.side.resendCountFor(m.venue, m.symbol),
      hostile: ctx.side.hostileCountsFor(m.venue, m.symbol),
    };
  });
}

/** Connections, counters, switches and per-market counts (GET /stats). */
export function simStats(ctx: SimContext, venues: string[], startedAtMs: number): SimStats {
  const gate = ctx.gate;
  return {
    venues,
    uptimeMs: Date.now() - startedAtMs,
    connections: ctx.hub.connections.size,
    paused: gate.paused,
    silenced: gate.silenced,
    silencedForMs: gate.silencedForMs,
    counters: { ...ctx.counters },
    markets: ctx.markets.map((m) => ({
      venue: m.venue,
      symbol: m.symbol,
      rate: m.rate,
      generated: m.generated,
      sent: recordOf(ctx, m).count,
      maxTrades: m.maxTrades,
      exhausted: m.exhausted,
      subscribers: m.subscribers.size,
      lastTradeId: m.generated > 0 ? m.tradeIdAt(m.generated - 1) : null,
    })),
  };
}
