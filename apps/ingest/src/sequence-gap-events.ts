import type { Subjects } from '@feed/messaging';
import { gapEventId, type GapV1, type Source, type Symbol, type VenueId } from '@feed/price-types';
import type { RawMessage } from './raw-publisher';
import type { SequenceJump } from './sequence-checker';

const encoder = new TextEncoder();

/**
 * A sequence jump on one connection, as Gap v1 `detected` events on RAW (`<p>.raw.<venue>.status.<symbol>`, beside
 * the StreamStatus events), one per trade stream the connection carries: which channel lost messages is unknown,
 * and only trades can be repaired (a lost best bid/ask is superseded by the next one). The normalizer takes them
 * over: repair from REST, then `repaired` or `unrepaired`. The id names the ingest, the connection (its open time)
 * and the numbers, so replicas and redeliveries never collide and a retry is deduped.
 */
export function sequenceGapMessages(
  o: { venue: VenueId; symbols: readonly Symbol[]; ingestId: string; source: Source; subjects: Subjects },
  conn: { openedAt: number },
  jump: SequenceJump,
  recvUs: number,
): RawMessage[] {
  return o.symbols.map((symbol) => {
    const key = `trade-seq-${o.ingestId}-${conn.openedAt}-${jump.after}-${jump.before}`;
    const ev: GapV1 = {
      v: 1,
      type: 'gap',
      id: gapEventId(o.venue, symbol, key, 'detected'),
      venue: o.venue,
      symbol,
      source: o.source,
      recvTimeUs: recvUs,
      channel: 'trade',
      afterId: `seq-${jump.after}`,
      beforeId: `seq-${jump.before}`,
      // Messages lost, not trades: how many trades they held is unknown.
      missing: null,
      detectedAtUs: recvUs,
      state: 'detected',
      detectedBy: 'sequence',
    };
    return { subject: o.subjects.raw(o.venue, 'status', symbol), data: encoder.encode(JSON.stringify(ev)), msgId: ev.id, recvTimeUs: recvUs, venue: o.venue, attempt: 0 };
  });
}
