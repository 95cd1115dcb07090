import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';
import { quoteSink, tradeSink } from './broadcast';
import { createControlApi } from './control-api';
import { closeAll, dropAll, injectHostile, scheduleResend, type HostileReport, type ResendReport } from './faults';
import { marketKey, type Market } from './market';
import { MarketEngine } from './market-engine';
import { resolveOptions, type ResolvedOptions, type VenueSimOptions } from './options';
import { getProtocol } from './protocols/registry';
import { buildContext } from './sim-build';
import type { GapRecord, RecordedQuote } from './quote-types';
import { quoteRecordOf, recordOf, type SimContext } from './sim-context';
import { recordSummary, simStats } from './sim-reports';
import { reject429, restReject429, scheduleGap, scheduleGapForOne, stallHeartbeats } from './stream-faults';
import {
  type HostileFrameRecord,
  type HostileKind,
  type MarketSummary,
  type RecordedTrade,
  type ResendRecord,
  type SimCounters,
  type SimStats,
} from './types';
import { createGateway } from './ws-gateway';

export interface ResendHandle {
  /** Trades that will be re-sent (fixed at the call). */
  readonly scheduled: number;
  /** Resolves once they were sent (or with zeros when the simulator closed first). */
  readonly done: Promise<ResendReport>;
}

/** Start a simulator listening on host:port (port 0 = ephemeral); see VenueSimOptions for the knobs. */
export async function startVenueSim(options: VenueSimOptions = {}): Promise<VenueSim> {
  const sim = new VenueSim(resolveOptions(options));
  await sim.listen();
  return sim;
}

/**
 * The venue simulator: one HTTP server carrying the venues' WebSocket endpoints and a JSON control API,
 * one seeded market per (venue, symbol) broadcasting identically to its subscribers, a record of everything
 * sent, and fault switches. Create it with startVenueSim().
 */
export class VenueSim {
  private readonly ctx: SimContext;
  private readonly engine: MarketEngine;
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly startedAtMs = Date.now();
  private boundPort = 0;
  private closed = false;

  constructor(readonly options: ResolvedOptions) {
    this.ctx = buildContext(options);
    const { markets, gate } = this.ctx;
    const engineOpts = { tickMs: options.tickMs, generateWithoutSubscribers: options.generateWithoutSubscribers };
    this.engine = new MarketEngine(markets, gate, engineOpts, tradeSink(this.ctx), quoteSink(this.ctx));
    ({ server: this.server, wss: this.wss } = createGateway(this.ctx, createControlApi(this)));
  }

  /** Bind the server and start the markets (startVenueSim does this). */
  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    this.engine.start();
  }

  get port(): number {
    return this.boundPort;
  }
  /** WebSocket base URL; the first venue's paths hang off it directly (ws://127.0.0.1:port/ws/btcusdt@trade). */
  get url(): string {
    return `ws://${this.options.host}:${this.boundPort}`;
  }
  get controlUrl(): string {
    return `http://${this.options.host}:${this.boundPort}`;
  }
  get venues(): string[] {
    return this.options.venues.map((v) => v.protocol.venue);
  }
  /** WebSocket base URL of one venue (ws://127.0.0.1:port/binance). */
  venueUrl(venue: string): string {
    getProtocol(venue);
    return `${this.url}/${venue}`;
  }
  /** Stream name of a symbol's trade channel at a venue ("btcusdt@trade"). */
  tradeStream(symbol?: string, venue?: string): string {
    const m = this.market(symbol, venue);
    return this.ctx.protocolOf(m.venue).tradeStream(m.symbol);
  }
  get connectionCount(): number {
    return this.ctx.hub.connections.size;
  }

  // ---- fault switches ----

  /** Terminate every connection abruptly. Returns how many. */
  drop(): number {
    return dropAll(this.ctx);
  }
  /**
   * Send nothing at all (no trades, no pings) for ms; the markets pause meanwhile, so no trade is lost.
   * Explicit injections (hostile, resend) are still sent: they are what a test asked for.
   */
  silence(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError('silence ms must be a non-negative integer');
    this.ctx.gate.silence(ms);
  }
  pause(): void {
    this.ctx.gate.paused = true;
  }
  resume(): void {
    this.ctx.gate.paused = false;
  }
  get paused(): boolean {
    return this.ctx.gate.paused;
  }
  /** Trades per second of every market, or of one symbol's. */
  setRate(rate: number, symbol?: string, venue?: string): void {
    if (!Number.isFinite(rate) || rate < 0 || rate > 1_000_000) throw new RangeError('rate must be in 0..1000000');
    for (const m of symbol === undefined ? this.ctx.markets : [this.market(symbol, venue)]) m.rate = rate;
  }
  /** Write count hostile frames of a kind to every connection (or those subscribed to symbol). */
  hostile(kind: HostileKind, count = 1, opts: { symbol?: string } = {}): HostileReport {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    if (opts.symbol !== undefined) this.market(opts.symbol);
    return injectHostile(this.ctx, kind, count, opts.symbol);
  }
  /** Re-broadcast the last count sent trades of each market (or one symbol's) after delayMs. */
  resend(count: number, delayMs = 0, opts: { symbol?: string } = {}): ResendHandle {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
    if (!Number.isSafeInteger(delayMs) || delayMs < 0) throw new RangeError('delayMs must be a non-negative integer');
    if (opts.symbol !== undefined) this.market(opts.symbol);
    return scheduleResend(this.ctx, count, delayMs, opts.symbol);
  }
  /** Close every connection gracefully with a close frame. Returns how many. */
  closeAll(code = 1000, reason = ''): number {
    return closeAll(this.ctx, code, reason);
  }
  /** Skip (generate, do not send) the next count trades of every market, or of one symbol's. Returns markets affected. */
  gap(count: number, opts: { symbol?: string; venue?: string } = {}): number {
    const markets = opts.symbol === undefined && opts.venue === undefined ? this.ctx.markets : [this.market(opts.symbol, opts.venue)];
    return scheduleGap(this.ctx, count, markets);
  }
  /** Withhold the next count trades from each market's oldest subscriber; the others get them delayMs late. */
  gapOne(count: number, delayMs: number, opts: { symbol?: string; venue?: string } = {}): number {
    const markets = opts.symbol === undefined && opts.venue === undefined ? this.ctx.markets : [this.market(opts.symbol, opts.venue)];
    return scheduleGapForOne(count, delayMs, markets);
  }
  /** Venue heartbeat messages (Coinbase heartbeats, Kraken heartbeat) stop for ms; trades continue. */
  stallHeartbeats(ms: number): void {
    stallHeartbeats(this.ctx, ms);
  }
  /** Refuse the next count WebSocket upgrades with HTTP 429 and Retry-After: retryAfterS. */
  reject429(count: number, retryAfterS = 1): void {
    reject429(this.ctx, count, retryAfterS);
  }
  /** Refuse the next count REST recent-trades requests with HTTP 429 and Retry-After: retryAfterS. */
  restReject429(count: number, retryAfterS = 1): void {
    restReject429(this.ctx, count, retryAfterS);
  }
  /** Best bid/ask updates per second of every market, or of one symbol's. */
  setQuoteRate(rate: number, symbol?: string, venue?: string): void {
    if (!Number.isFinite(rate) || rate < 0 || rate > 1_000_000) throw new RangeError('rate must be in 0..1000000');
    for (const m of symbol === undefined && venue === undefined ? this.ctx.markets : [this.market(symbol, venue)]) m.quoteRate = rate;
  }

  // ---- record and stats ----

  /** Every trade held in the record of one market (default: the first venue's first symbol). */
  record(symbol?: string, venue?: string): RecordedTrade[] {
    const r = recordOf(this.ctx, this.market(symbol, venue));
    return r.page(r.firstHeldIndex, r.count);
  }
  recordPage(from: number, limit: number, symbol?: string, venue?: string): RecordedTrade[] {
    return recordOf(this.ctx, this.market(symbol, venue)).page(from, limit);
  }
  /** Trades sent (delivered to >= 1 connection) by one market. */
  recordCount(symbol?: string, venue?: string): number {
    return recordOf(this.ctx, this.market(symbol, venue)).count;
  }
  recordSummary(): MarketSummary[] {
    return recordSummary(this.ctx);
  }
  /** A page of the quotes sent by one market. */
  quoteRecordPage(from: number, limit: number, symbol?: string, venue?: string): RecordedQuote[] {
    return quoteRecordOf(this.ctx, this.market(symbol, venue)).page(from, limit);
  }
  quoteRecordCount(symbol?: string, venue?: string): number {
    return quoteRecordOf(this.ctx, this.market(symbol, venue)).count;
  }
  /** Trades the gap fault skipped. */
  gapRecord(): readonly GapRecord[] {
    return this.ctx.side.gaps;
  }
  /** The shared state, for the control API's REST routes. */
  get context(): SimContext {
    return this.ctx;
  }
  hostileRecord(): readonly HostileFrameRecord[] {
    return this.ctx.side.hostile;
  }
  resendRecord(): readonly ResendRecord[] {
    return this.ctx.side.resends;
  }
  get counters(): Readonly<SimCounters> {
    return { ...this.ctx.counters };
  }
  stats(): SimStats {
    return simStats(this.ctx, this.venues, this.startedAtMs);
  }

  /** The market of a venue-native symbol (default: the first venue's first symbol). Throws if unknown. */
  market(symbol?: string, venue?: string): Market {
    const v = venue === undefined ? this.options.venues[0] : this.options.venues.find((x) => x.protocol.venue === venue);
    if (!v) throw new RangeError(`venue ${JSON.stringify(venue)} is not simulated`);
    const s = symbol ?? (v.symbols[0] as string);
    const m = this.ctx.marketsByKey.get(marketKey(v.protocol.venue, s));
    if (!m) throw new RangeError(`symbol ${JSON.stringify(s)} is not simulated at ${v.protocol.venue}`);
    return m;
  }

  /** Stop the markets, cancel scheduled work, terminate connections and close the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.engine.stop();
    for (const cancel of [...this.ctx.cancels]) cancel();
    this.ctx.cancels.clear();
    for (const conn of [...this.ctx.hub.connections]) {
      conn.clearTimers();
      conn.ws.terminate();
    }
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
