import type { SimConnection } from './connection';
import { deliver } from './delivery';
import { marketKey, type Market } from './market';
import { recordOf, type SimContext } from './sim-context';
import type { HostileKind, SimTrade } from './types';

export interface HostileReport {
  readonly kind: HostileKind;
  /** Frames written, summed over connections. */
  readonly deliveries: number;
  readonly connections: number;
}

export interface ResendReport {
  /** Trades re-broadcast (summed over markets). */
  readonly trades: number;
  /** Frames written, summed over connections. */
  readonly deliveries: number;
}

/** Terminate every connection abruptly (no close frame), like a network cut. */
export function dropAll(ctx: SimContext): number {
  let n = 0;
  for (const conn of [...ctx.hub.connections]) {
    conn.ws.terminate();
    n++;
  }
  ctx.counters.dropCloses += n;
  return n;
}

export function isValidCloseCode(code: number): boolean {
  return Number.isInteger(code) && ((code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999));
}

/** Close every connection gracefully with a close frame. */
export function closeAll(ctx: SimContext, code: number, reason: string): number {
  if (!isValidCloseCode(code)) throw new RangeError(`invalid close code ${code}`);
  if (Buffer.byteLength(reason) > 123) throw new RangeError('close reason longer than 123 bytes');
  let n = 0;
  for (const conn of [...ctx.hub.connections]) {
    if (!conn.isOpen) continue;
    conn.ws.close(code, reason);
    n++;
  }
  ctx.counters.closeAllCloses += n;
  return n;
}

/** A trade-shaped base for hostile frames: the market's current price, a small size, now. */
function hostileBase(market: Market, hostileId: string): SimTrade {
  const now = Date.now();
  return {
    venue: market.venue,
    symbol: market.symbol,
    seq: -1,
    tradeId: hostileId,
    priceUnits: market.currentPriceUnits,
    priceDecimals: market.spec.priceDecimals,
    qtyUnits: market.spec.qtyStepUnits * 10,
    qtyDecimals: market.spec.qtyDecimals,
    tradeTimeMs: now,
    eventTimeMs: now,
    buyerIsMaker: false,
  };
}

/** Hostile frames carry ids counting down from firstTradeId - 1: never a genuine id, so one let through shows. */
function nextHostileId(market: Market): string {
  market.hostileSeq++;
  return (market.firstTradeId - BigInt(market.hostileSeq)).toString();
}

/**
 * Write `count` hostile frames of `kind` to every open connection (or, with `symbol`, to those subscribed to
 * it). Each connection gets frames shaped after its first subscribed market (its venue's first market when
 * it has none) in its own framing.
 */
export function injectHostile(ctx: SimContext, kind: HostileKind, count: number, symbol?: string): HostileReport {
  const groups = new Map<Market, Map<string, SimConnection[]>>();
  let connections = 0;
  for (const conn of ctx.hub.connections) {
    if (!conn.isOpen) continue;
    const market = symbol !== undefined ? conn.markets.get(marketKey(conn.venue, symbol)) : (conn.firstMarket() ?? ctx.markets.find((m) => m.venue === conn.venue));
    if (!market) continue;
    connections++;
    let byFraming = groups.get(market);
    if (!byFraming) groups.set(market, (byFraming = new Map()));
    const list = byFraming.get(conn.framing);
    if (list) list.push(conn);
    else byFraming.set(conn.framing, [conn]);
  }
  let deliveries = 0;
  for (const [market, byFraming] of groups) {
    const protocol = ctx.protocolOf(market.venue);
    const stream = protocol.tradeStream(market.symbol);
    for (let i = 0; i < count; i++) {
      const id = nextHostileId(market); // one id and timestamp per injected frame, shared by every connection
      const base = hostileBase(market, id);
      for (const [framing, conns] of byFraming) {
        let padding = '';
        if (kind === 'oversize') {
          const bare = Buffer.byteLength(protocol.frame(framing, stream, protocol.encodeHostile(kind, base, id, '')));
          padding = 'x'.repeat(Math.max(0, ctx.opts.oversizeBytes - bare));
        }
        const payload = protocol.encodeHostile(kind, base, id, padding);
        const n = deliver(conns, protocol, stream, payload);
        deliveries += n;
        ctx.counters.hostileFramesSent += n;
        ctx.side.addHostile({
          kind,
          venue: market.venue,
          symbol: market.symbol,
          tradeId: kind === 'wrong_types' || kind === 'not_json' ? null : id,
          bytes: Buffer.byteLength(protocol.frame(framing, stream, payload)),
          deliveredTo: n,
          sentAtMs: Date.now(),
        });
      }
    }
  }
  return { kind, deliveries, connections };
}

/**
 * Re-broadcast the last `count` trades already sent in each market (or only `symbol`'s) after `delayMs`:
 * same ids, same content, same frame text, to the connections subscribed at that moment. The set of trades
 * is fixed when this is called. Resolves when they were sent (or the simulator closed).
 */
export function scheduleResend(ctx: SimContext, count: number, delayMs: number, symbol?: string): { scheduled: number; done: Promise<ResendReport> } {
  const batches = ctx.markets
    .filter((m) => symbol === undefined || m.symbol === symbol)
    .map((market) => ({ market, items: recordOf(ctx, market).last(count) }))
    .filter((b) => b.items.length > 0);
  const scheduled = batches.reduce((s, b) => s + b.items.length, 0);
  const done = new Promise<ResendReport>((resolve) => {
    const cancel = (): void => {
      clearTimeout(timer);
      resolve({ trades: 0, deliveries: 0 });
    };
    const timer = setTimeout(() => {
      ctx.cancels.delete(cancel);
      let deliveries = 0;
      for (const { market, items } of batches) {
        const protocol = ctx.protocolOf(market.venue);
        const stream = protocol.tradeStream(market.symbol);
        for (const { index, trade } of items) {
          const n = deliver(market.subscribers, protocol, stream, protocol.encodeTrade(trade));
          deliveries += n;
          ctx.counters.resentFramesSent += n;
          ctx.side.addResend({ venue: market.venue, symbol: market.symbol, tradeId: trade.tradeId, index, deliveredTo: n, sentAtMs: Date.now() });
        }
      }
      resolve({ trades: scheduled, deliveries });
    }, delayMs);
    ctx.cancels.add(cancel);
  });
  return { scheduled, done };
}
