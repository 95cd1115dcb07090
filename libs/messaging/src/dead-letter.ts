import type { JsMsg } from '@nats-io/jetstream';
import { Hdr, newHeaders } from './headers';
import type { WindowedPublisher } from './publisher';
import type { Subjects } from './subjects';

/**
 * Dead-letters one poison message: the original bytes go to `<prefix>.dlq.<stage>` with the reason, a detail,
 * and the message's origin in headers. The DLQ msg id is derived from the origin (stream + sequence), so a
 * poison message redelivered before its `term` lands is dead-lettered once.
 */
export class DeadLetterer {
  constructor(
    private readonly publisher: WindowedPublisher,
    private readonly subjects: Subjects,
    private readonly stage: string,
  ) {}

  /**
   * Resolves true when this call stored the letter, false when JetStream already held it (the same origin was
   * dead-lettered before: a redelivered copy), so callers count each letter once.
   */
  async send(msg: JsMsg, reason: string, detail: string): Promise<boolean> {
    const h = newHeaders();
    h.set(Hdr.dlqReason, reason);
    h.set(Hdr.dlqDetail, detail.slice(0, 500));
    h.set(Hdr.dlqStage, this.stage);
    h.set(Hdr.origSubject, msg.subject);
    h.set(Hdr.origStream, msg.info.stream);
    h.set(Hdr.origSeq, String(msg.seq));
    const ack = await this.publisher.publish(this.subjects.dlq(this.stage), msg.data, {
      msgId: `dlq:${this.stage}:${msg.info.stream}:${msg.seq}`,
      headers: h,
    });
    return !ack.duplicate;
  }
}
