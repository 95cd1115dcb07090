import type { Subjects } from '@feed/messaging';
import { eventId, nowUs, type ConnectionState, type Source, type StreamStatusV1 } from '@feed/price-types';
import type { IngestMetrics } from './metrics';
import type { RawMessage } from './raw-publisher';
import type { StreamKey } from './venues';

interface Tracked {
  key: StreamKey;
  state: ConnectionState;
  lastFrameUs: number | null;
  frames: number;
  reason?: string;
}

const STATES: ConnectionState[] = ['live', 'stale', 'reconnecting', 'down'];
const encoder = new TextEncoder();

/**
 * Per-stream connection state as this ingest sees it (hard rule 8), and the per-second heartbeat that advances
 * event time on the log (decision 6). A stream is `live` while frames arrive within `staleAfterMs`, `stale` when
 * its socket is open but quiet for longer, `reconnecting` while its venue has no open socket, `down` once stopped.
 * Heartbeats and changes go through the same FIFO as frames, so a heartbeat stamped T follows every frame
 * received before T on RAW.
 */
export class StreamTracker {
  private readonly streams = new Map<string, Tracked>();
  private readonly connected = new Map<string, boolean>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    keys: StreamKey[],
    /** staleAfterMs: one window for every stream, or per stream (per venue and channel: quiet markets differ). */
    private readonly o: { staleAfterMs: number | ((k: StreamKey) => number); heartbeatMs: number; ingestId: string; source: Source; subjects: Subjects },
    private readonly publish: (m: RawMessage) => void,
    private readonly metrics: IngestMetrics,
  ) {
    for (const k of keys) {
      const t: Tracked = { key: k, state: 'reconnecting', lastFrameUs: null, frames: 0 };
      this.streams.set(id(k), t);
      // Exported from the start: a venue unreachable since startup never transitions, and must not be absent.
      this.gauge(t);
    }
  }

  start(): void {
    this.timer = setInterval(() => this.tick(nowUs()), this.o.heartbeatMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    const now = nowUs();
    for (const t of this.streams.values()) this.transition(t, 'down', 'ingest stopping', now);
  }

  onFrame(k: StreamKey, recvUs: number): void {
    const t = this.streams.get(id(k));
    if (!t) return;
    t.lastFrameUs = recvUs;
    t.frames++;
    if (t.state !== 'live') this.transition(t, 'live', 'frames flowing', recvUs);
  }

  setConnected(venue: string, up: boolean, reason: string): void {
    this.connected.set(venue, up);
    if (!up) {
      const now = nowUs();
      for (const t of this.streams.values()) if (t.key.venue === venue) this.transition(t, 'reconnecting', reason, now);
    }
  }

  snapshot(): Array<StreamKey & { state: ConnectionState; lastFrameUs: number | null; frames: number; staleAfterMs: number }> {
    return [...this.streams.values()].map((t) => ({ ...t.key, state: t.state, lastFrameUs: t.lastFrameUs, frames: t.frames, staleAfterMs: this.staleAfter(t.key) }));
  }

  private staleAfter(k: StreamKey): number {
    return typeof this.o.staleAfterMs === 'number' ? this.o.staleAfterMs : this.o.staleAfterMs(k);
  }

  /** Exposed for tests: evaluate staleness and publish one heartbeat per stream, as of `now`. */
  tick(now: number): void {
    for (const t of this.streams.values()) {
      const staleMs = this.staleAfter(t.key);
      if (t.state === 'live' && (t.lastFrameUs === null || now - t.lastFrameUs > staleMs * 1000)) {
        this.transition(t, 'stale', `no frame for ${staleMs} ms`, now);
      }
      this.emit(t, 'heartbeat', now);
    }
  }

  private transition(t: Tracked, state: ConnectionState, reason: string, now: number): void {
    if (t.state === state) return;
    t.state = state;
    t.reason = reason;
    this.gauge(t);
    this.emit(t, 'change', now);
  }

  private gauge(t: Tracked): void {
    for (const s of STATES) this.metrics.streamState.set({ venue: t.key.venue, symbol: t.key.symbol, channel: t.key.channel, state: s }, s === t.state ? 1 : 0);
  }

  private emit(t: Tracked, kind: 'heartbeat' | 'change', now: number): void {
    const k = t.key;
    // Heartbeat ids are per ingest and per second (several replicas each say what they see); change ids per µs.
    const venueEventId = kind === 'heartbeat' ? `${k.channel}-hb-${this.o.ingestId}-${Math.floor(now / 1e6)}` : `${k.channel}-chg-${this.o.ingestId}-${now}`;
    const ev: StreamStatusV1 = {
      v: 1,
      type: 'status',
      id: eventId('status', k.venue, k.symbol, venueEventId),
      venue: k.venue,
      symbol: k.symbol,
      source: this.o.source,
      recvTimeUs: now,
      channel: k.channel,
      kind,
      state: t.state,
      ingestId: this.o.ingestId,
      lastFrameUs: t.lastFrameUs,
      frames: t.frames,
      ...(kind === 'change' && t.reason ? { reason: t.reason } : {}),
    };
    if (t.lastFrameUs !== null) this.metrics.lastFrame.set({ venue: k.venue, symbol: k.symbol, channel: k.channel }, t.lastFrameUs / 1e6);
    this.publish({ subject: this.o.subjects.raw(k.venue, 'status', k.symbol), data: encoder.encode(JSON.stringify(ev)), msgId: ev.id, recvTimeUs: now, venue: k.venue, attempt: 0 });
  }
}

function id(k: StreamKey): string {
  return `${k.venue}|${k.channel}|${k.symbol}`;
}
