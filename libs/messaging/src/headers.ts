import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

/** Header names Feed puts on messages. */
export const Hdr = {
  /** JetStream's dedupe header: the event id (decision 1), set by WindowedPublisher from `msgId`. */
  msgId: 'Nats-Msg-Id',
  /** Receive time of the venue frame, integer epoch µs (RAW). */
  recvTimeUs: 'Feed-Recv-Us',
  /** live | simulated (decision 7). */
  source: 'Feed-Source',
  /** Which ingest instance read the frame. */
  ingest: 'Feed-Ingest',
  /** Dead letters: stable reason code, human detail, and where the message came from. */
  dlqReason: 'Feed-Dlq-Reason',
  dlqDetail: 'Feed-Dlq-Detail',
  dlqStage: 'Feed-Dlq-Stage',
  origSubject: 'Feed-Orig-Subject',
  origSeq: 'Feed-Orig-Seq',
  origStream: 'Feed-Orig-Stream',
} as const;

export function newHeaders(): MsgHdrs {
  return natsHeaders();
}

/** Header value or undefined (nats.js returns '' for a missing header). */
export function header(h: MsgHdrs | undefined, name: string): string | undefined {
  if (!h || !h.has(name)) return undefined;
  return h.get(name);
}
