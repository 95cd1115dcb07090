import type { Keys } from '@feed/keys';
import type { MarketEventV1, VenueId } from '@feed/price-types';
import { quoteSortKey, tradeSortKey, type SequencedEvent } from './batch-args';
import { bucketOf, inputMember, midPrice, type IndexValueV1 } from './index-compute';
import { INDEX_LUA } from './index-script';
import { lookbackSeconds, type IndexSettings } from './index-settings';
import type { ScriptProjection } from './script-projection';

/** What one event means to one index: an input (a price in a bucket second), a watermark, or a refusal. */
export type IndexEffect =
  | { symbol: string; kind: 'input'; venue: VenueId; input: 'q' | 't'; bucket: number; member: string }
  | { symbol: string; kind: 'watermark'; second: number }
  | { symbol: string; kind: 'future' };

/**
 * Pure: the effect of an event on each index it belongs to. Quotes give their exact mid, trades their price, both
 * bucketed by venue time; a constituent stream's status event (heartbeat or change) moves the watermark to the
 * grid second of its receive time minus the watermark delay. An input whose venue time is more than maxAheadMs
 * after its own receive time is refused (a venue clock gone wrong must not hold memory until the grid reaches it);
 * the test uses only the event itself, so a replay refuses the same inputs.
 */
export function indexEffects(ev: MarketEventV1, s: IndexSettings): IndexEffect[] {
  const out: IndexEffect[] = [];
  for (const idx of s.indices) {
    if (ev.symbol !== idx.symbol || !idx.venues.includes(ev.venue)) continue;
    if (ev.type === 'status') {
      out.push({ symbol: idx.symbol, kind: 'watermark', second: Math.floor((ev.recvTimeUs - s.watermarkDelayMs * 1000) / 1e6) });
    } else if (ev.type === 'quote' || ev.type === 'trade') {
      if (ev.venueTimeUs - ev.recvTimeUs > s.maxAheadMs * 1000) {
        out.push({ symbol: idx.symbol, kind: 'future' });
        continue;
      }
      const member = ev.type === 'quote' ? inputMember(quoteSortKey(ev), midPrice(ev.bidPrice, ev.askPrice), ev.source) : inputMember(tradeSortKey(ev), ev.price, ev.source);
      out.push({ symbol: idx.symbol, kind: 'input', venue: ev.venue, input: ev.type === 'quote' ? 'q' : 't', bucket: bucketOf(ev.venueTimeUs), member });
    }
  }
  return out;
}

/** One index's part of a batch result, as the script reports it. */
export interface IndexBatchResult {
  symbol: string;
  /** Grid seconds (re)computed by this batch. */
  computed: number;
  /** Inputs older than the retained window (history + lookback behind the watermark): not stored, counted. */
  late: number;
  /** Inputs refused as too far ahead of their receive time. */
  future: number;
  /** The newest value of the index after the batch (not necessarily one this batch computed). */
  newest: IndexValueV1 | undefined;
}

export function parseIndexReply(reply: unknown): IndexBatchResult[] {
  if (!Array.isArray(reply)) return [];
  const out: IndexBatchResult[] = [];
  for (let i = 0; i + 4 < reply.length; i += 5) {
    const json = String(reply[i + 4] ?? '');
    out.push({
      symbol: String(reply[i]),
      computed: Number(reply[i + 1]),
      late: Number(reply[i + 2]),
      future: Number(reply[i + 3]),
      newest: json ? (JSON.parse(json) as IndexValueV1) : undefined,
    });
  }
  return out;
}

/**
 * The composite index projection (docs/index-methodology.md). Inputs are pre-reduced per batch to the max member
 * per (venue, kind, bucket) and the max watermark, which the script's max-registers would do anyway.
 */
export function indexProjection(s: IndexSettings, keys: Keys, onResult?: (r: IndexBatchResult[]) => void): ScriptProjection {
  const header = [String(s.staleMs * 1000), String(lookbackSeconds(s)), String(s.maxDeviationBps), String(s.minConstituents), String(s.historySeconds), String(s.staleMs)];
  return {
    name: 'index',
    lua: INDEX_LUA,
    args(batch: SequencedEvent[]): string[] | undefined {
      const per = new Map<string, { wm: number | undefined; future: number; inputs: Map<string, { venue: VenueId; input: 'q' | 't'; bucket: number; member: string }> }>();
      for (const { ev } of batch) {
        for (const e of indexEffects(ev, s)) {
          let p = per.get(e.symbol);
          if (!p) per.set(e.symbol, (p = { wm: undefined, future: 0, inputs: new Map() }));
          if (e.kind === 'watermark') p.wm = p.wm === undefined ? e.second : Math.max(p.wm, e.second);
          else if (e.kind === 'future') p.future++;
          else {
            const k = `${e.venue}|${e.input}|${e.bucket}`;
            const cur = p.inputs.get(k);
            if (!cur || cur.member < e.member) p.inputs.set(k, e);
          }
        }
      }
      if (per.size === 0) return undefined;
      const argv = [...header, String(per.size)];
      for (const idx of s.indices) {
        const p = per.get(idx.symbol);
        if (!p) continue;
        argv.push(idx.symbol, keys.indexWatermark(idx.symbol), keys.indexHistory(idx.symbol), keys.indexMinutes(idx.symbol), p.wm === undefined ? '' : String(p.wm), String(p.future), String(idx.venues.length));
        for (const v of idx.venues) argv.push(v, keys.indexInput(idx.symbol, v, 'q'), keys.indexInput(idx.symbol, v, 't'));
        argv.push(String(p.inputs.size));
        for (const i of p.inputs.values()) argv.push(String(idx.venues.indexOf(i.venue) + 1), i.input, String(i.bucket), i.member);
      }
      return argv;
    },
    ...(onResult ? { onResult: (reply: unknown) => onResult(parseIndexReply(reply)) } : {}),
  };
}
