import { PolledHub, type PolledChannel, type PolledSubscriber } from './polled-channels';
import type { FrameType } from './protocol';

function sub(): PolledSubscriber & { frames: Array<[FrameType, string[]]> } {
  const frames: Array<[FrameType, string[]]> = [];
  return { frames, deliverPolled: (t, items) => void frames.push([t, items]) };
}

describe('given a polled channel with subscribers', () => {
  let items: Record<string, Array<{ id: string; json: string }>>;
  let reads: string[][];
  let fail = false;
  const channel: PolledChannel = {
    name: 'candles',
    frameType: 'candles',
    topic: (symbol) => ({ key: symbol, echo: { symbol } }),
    read: async (topics) => {
      reads.push(topics);
      if (fail) throw new Error('redis down');
      return new Map(topics.map((t) => [t, items[t] ?? []]));
    },
  };
  const warns: unknown[] = [];
  let hub: PolledHub;
  beforeEach(() => {
    items = { A: [{ id: '1', json: '{"a":1}' }, { id: '2', json: '{"a":2}' }] };
    reads = [];
    fail = false;
    hub = new PolledHub([channel], 1000, { warn: (o: unknown) => void warns.push(o) } as never);
  });

  it('when a tick runs then a new subscriber gets every current item, later ticks only what changed, one read for all', async () => {
    const s1 = sub();
    const s2 = sub();
    hub.subscribe(channel, 'A', s1);
    hub.subscribe(channel, 'A', s2);
    await hub.tick();
    expect(reads).toEqual([['A']]);
    expect(s1.frames).toEqual([['candles', ['{"a":1}', '{"a":2}']]]);
    await hub.tick();
    expect(s1.frames).toHaveLength(1); // nothing changed: nothing sent
    items['A'] = [{ id: '2', json: '{"a":2,"closed":true}' }, { id: '3', json: '{"a":3}' }];
    await hub.tick();
    expect(s1.frames[1]).toEqual(['candles', ['{"a":2,"closed":true}', '{"a":3}']]);
    expect(s2.frames).toEqual(s1.frames);
    const late = sub();
    hub.subscribe(channel, 'A', late);
    await hub.tick();
    expect(late.frames).toEqual([['candles', ['{"a":2,"closed":true}', '{"a":3}']]]);
    expect(s1.frames).toHaveLength(2);
  });

  it('when the read fails then the tick is skipped with a warning and the next one delivers', async () => {
    const s = sub();
    hub.subscribe(channel, 'A', s);
    fail = true;
    await hub.tick();
    expect(s.frames).toEqual([]);
    expect(warns.length).toBeGreaterThan(0);
    fail = false;
    await hub.tick();
    expect(s.frames).toHaveLength(1);
  });

  it('when the last subscriber leaves then the topic is no longer read', async () => {
    const s = sub();
    hub.subscribe(channel, 'A', s);
    hub.unsubscribe('candles', 'A', s);
    expect(hub.topicCount).toBe(0);
    await hub.tick();
    expect(reads).toEqual([]);
  });
});
