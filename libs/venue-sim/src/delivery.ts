import type { SimConnection } from './connection';
import type { VenueProtocol } from './protocols/venue-protocol';

/**
 * Write one payload to every open connection in `to`. The frame text is built once per framing and shared
 * as one Buffer, so every connection with the same framing receives byte-identical frames.
 * Returns the number of connections written to.
 */
export function deliver(to: Iterable<SimConnection>, protocol: VenueProtocol, stream: string, payload: string): number {
  if (protocol.sequenced === true) return deliverSequenced(to, protocol, stream, payload);
  let n = 0;
  let firstFraming: string | undefined;
  let firstBuf: Buffer | undefined;
  let others: Map<string, Buffer> | undefined;
  for (const conn of to) {
    if (!conn.isOpen) continue;
    let buf: Buffer | undefined;
    if (conn.framing === firstFraming) buf = firstBuf;
    else if (firstFraming === undefined) {
      firstFraming = conn.framing;
      buf = firstBuf = Buffer.from(protocol.frame(conn.framing, stream, payload), 'utf8');
    } else {
      others ??= new Map();
      buf = others.get(conn.framing);
      if (!buf) others.set(conn.framing, (buf = Buffer.from(protocol.frame(conn.framing, stream, payload), 'utf8')));
    }
    if (buf && conn.send(buf)) n++;
  }
  return n;
}

/** Sequenced protocols: the same text to everyone except each connection's own sequence number. */
function deliverSequenced(to: Iterable<SimConnection>, protocol: VenueProtocol, stream: string, payload: string): number {
  let n = 0;
  const texts = new Map<string, string>();
  for (const conn of to) {
    if (!conn.isOpen) continue;
    let text = texts.get(conn.framing);
    if (text === undefined) texts.set(conn.framing, (text = protocol.frame(conn.framing, stream, payload)));
    if (conn.send(text)) n++;
  }
  return n;
}
