import { cleanupAll, startNatsWithClient } from '@feed/testing';
import type { JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { DeadLetterer } from './dead-letter';
import { Hdr } from './headers';
import { WindowedPublisher } from './publisher';
import { applyStreams } from './setup';
import { DEFAULT_STREAM_SETTINGS } from './streams';
import { Subjects } from './subjects';

const PREFIX = 'dl';
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  ({ nc, jsm } = await startNatsWithClient());
  await applyStreams(nc, jsm, { ...DEFAULT_STREAM_SETTINGS, prefix: PREFIX, rawMaxBytes: 16 << 20, mdMaxBytes: 16 << 20, dlqMaxBytes: 16 << 20 });
});

afterAll(cleanupAll);

/** What DeadLetterer reads of a delivered message: its bytes and its origin. */
function delivered(seq: number): JsMsg {
  return { data: new TextEncoder().encode(`{"bad":${seq}}`), subject: `${PREFIX}.md.v1.trade.BTC-USD.sim`, seq, info: { stream: 'DL_MD' } } as unknown as JsMsg;
}

describe('DeadLetterer on a real nats-server', () => {
  it('Given a poison message dead-lettered once When a redelivered copy is dead-lettered again Then the DLQ holds one letter and the second send says so', async () => {
    const dlq = new DeadLetterer(new WindowedPublisher(nc, { window: 16, timeoutMs: 5_000 }), new Subjects(PREFIX), 'spec');
    expect(await dlq.send(delivered(7), 'bad_decimal', 'price: not canonical')).toBe(true);
    expect(await dlq.send(delivered(7), 'bad_decimal', 'price: not canonical')).toBe(false);
    expect(await dlq.send(delivered(8), 'wrong_type', 'size: expected decimal string')).toBe(true);

    const st = (await jsm.streams.info('DL_DLQ')).state;
    expect(st.messages).toBe(2);
    const first = await jsm.streams.getMessage('DL_DLQ', { seq: st.first_seq });
    expect(first?.header.get(Hdr.dlqReason)).toBe('bad_decimal');
    expect(first?.header.get(Hdr.origSeq)).toBe('7');
    expect(first?.string()).toBe('{"bad":7}');
  });
});
