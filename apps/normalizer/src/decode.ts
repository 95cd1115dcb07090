import { Hdr, PoisonError, header } from '@feed/messaging';
import { ValidationError, isSource, isTimeUs, isVenueId, validateGap, validateStatus, type MarketEventV1 } from '@feed/price-types';
import type { JsMsg } from '@nats-io/jetstream';
import { MAPPERS, type MapResult } from './mappers';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * RAW message -> normalized events (pure apart from reading the message). Throws ValidationError or
 * PoisonError for input that can never be mapped; the consumer loop dead-letters it with that reason.
 * Subject: <prefix>.raw.<venue>.<channel>.<symbol>.
 */
export function decodeRaw(msg: JsMsg, prefix: string): MapResult {
  const parts = msg.subject.split('.');
  if (parts.length !== 5 || parts[0] !== prefix || parts[1] !== 'raw') throw new PoisonError('bad_subject', `unexpected subject ${msg.subject}`);
  const venue = parts[2] as string;
  const channel = parts[3] as string;
  if (!isVenueId(venue)) throw new PoisonError('unknown_venue', `no venue ${venue}`);
  const recv = Number(header(msg.headers, Hdr.recvTimeUs));
  if (!isTimeUs(recv)) throw new PoisonError('bad_recv_time', `missing or invalid ${Hdr.recvTimeUs} header`);
  const source = header(msg.headers, Hdr.source);
  if (!isSource(source)) throw new PoisonError('bad_source', `missing or invalid ${Hdr.source} header`);
  let text: string;
  try {
    text = decoder.decode(msg.data);
  } catch {
    throw new PoisonError('bad_utf8', 'frame is not valid UTF-8');
  }
  if (channel === 'status') {
    // Produced by our own ingest already in v1 form: validate and pass through.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new ValidationError('bad_json', '$', (e as Error).message.slice(0, 100));
    }
    // Ingest files StreamStatus events here, and Gap `detected` events for per-connection sequence jumps (Coinbase).
    const ev: MarketEventV1 = (parsed as { type?: unknown } | null)?.type === 'gap' ? validateGap(parsed) : validateStatus(parsed);
    if (ev.venue !== venue || ev.symbol !== parts[4] || ev.source !== source) throw new PoisonError('status_mismatch', 'status event disagrees with its subject or headers');
    return { events: [ev] };
  }
  const mapper = MAPPERS[venue];
  if (!mapper) throw new PoisonError('unknown_venue', `no mapper for ${venue}`);
  return mapper.map({ venue, channel, recvTimeUs: recv, source, text });
}
