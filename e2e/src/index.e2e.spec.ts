import { ConfigReader } from '@feed/config';
import { FeedStack, WsClient, sumSamples } from '@feed/feed-stack';
import { decodeEvent, type MarketEventV1 } from '@feed/price-types';
import { modelIndexState, readIndexSettings, type ModelIndexState, serializeIndexMinute, serializeIndexValue, type IndexValueV1 } from '@feed/projections';
import { httpGetJson, waitFor } from '@feed/testing';
import { durableName } from '@feed/messaging';
import { jetstream } from '@nats-io/jetstream';

jest.setTimeout(180_000);

/**
 * The composite index end to end (issue 5): the simulator serves quotes and trades on the three BTC-USD venues,
 * the four apps carry them (two persisters on one durable), and what the api serves equals the index computed IN
 * THIS TEST from the events read back off the MD log (the in-memory model, no Redis): every grid second, exactly.
 */
const VENUES = [
  { venue: 'coinbase', native: 'BTC-USD' },
  { venue: 'kraken', native: 'BTC/USD' },
  { venue: 'bitstamp', native: 'btcusd' },
];
const N = 300;
const NORMALIZER_GROUP = 'main';
const INDEX_ENV = { INDEX_STALE_MS: '3000', INDEX_LOOKBACK_MS: '5000', INDEX_WATERMARK_DELAY_MS: '500', INDEX_HISTORY_S: '900', INDEX_MIN_CONSTITUENTS: '2' };

type Body = Record<string, unknown>;

async function readLog(stack: FeedStack): Promise<MarketEventV1[]> {
  const last = (await stack.jsm.streams.info('FEED_MD')).state.last_seq;
  const consumer = await jetstream(stack.nc).consumers.get('FEED_MD');
  const out: MarketEventV1[] = [];
  const iter = await consumer.consume();
  for await (const m of iter) {
    out.push(decodeEvent(m.data));
    if (m.seq >= last) break;
  }
  await iter.close();
  return out;
}

describe('composite index end to end', () => {
  let stack: FeedStack | undefined;
  afterAll(async () => stack?.stop());

  it('serves index values equal to those computed from the MD log, live and after the pipeline drains', async () => {
    stack = await FeedStack.start({
      sim: { rate: 20, maxTrades: N, args: ['--venues', VENUES.map((v) => v.venue).join(','), '--venue-symbols', VENUES.map((v) => `${v.venue}=${v.native}`).join(','), '--quote-rate', '10'] },
      env: INDEX_ENV,
    });
    const s = stack;
    await s.startApp('persister');
    await s.startApp('persister');
    await s.startApp('normalizer');
    const ingestEnv: Record<string, string> = { INGEST_VENUES: VENUES.map((v) => v.venue).join(',') };
    for (const { venue } of VENUES) {
      const V = venue.toUpperCase();
      Object.assign(ingestEnv, { [`${V}_URL`]: `${s.simUrl}/${venue}`, [`${V}_SYMBOLS`]: 'BTC-USD', [`${V}_CHANNELS`]: 'trade,quote' });
    }
    // The api before ingest (as in the spine spec): it starts while the machine is quiet.
    await s.startApp('api');
    const ws = await WsClient.connect(`${s.apiUrl.replace('http', 'ws')}/v1/stream`);
    ws.send({ op: 'subscribe', channel: 'index', symbol: 'BTC-USD' });
    const pushed = () => ws.frames.filter((f) => f.type === 'index').flatMap((f) => f.data as IndexValueV1[]);
    await s.startApp('ingest', ingestEnv);

    // Live: the index is published with all three venues as constituents while the market runs.
    await waitFor(
      async () => {
        const r = await httpGetJson<Body>(`${s.apiUrl}/v1/index?symbol=BTC-USD`);
        return r['price'] !== null && (r['constituents'] as unknown[]).length === 3 && r['stale'] === false;
      },
      { what: 'a fresh BTC-USD index value', timeoutMs: 60_000 },
    );
    for (const { venue, native } of VENUES) await s.simClient.waitForCount(N, 90_000, native, venue);

    // Quiesce: stop ingest (no more heartbeats), wait until the normalizer has mapped all of RAW, then until the
    // persisters applied the whole MD stream.
    for (const ingest of s.apps.ingest) await ingest.stop();
    const rawDone = async () => {
      const c = await s.jsm.consumers.info('FEED_RAW', durableName('feed', 'normalizer', NORMALIZER_GROUP));
      return c.num_pending === 0 && c.num_ack_pending === 0;
    };
    await waitFor(rawDone, { what: 'normalizer drained RAW', timeoutMs: 60_000 });
    const mdLast = async () => (await s.jsm.streams.info('FEED_MD')).state.last_seq;
    await waitFor(async () => Number(await s.redis.hget('feed:checkpoint:primary', 'seq')) === (await mdLast()), { what: 'persisters caught up', timeoutMs: 60_000 });

    const events = await readLog(s);
    const settings = readIndexSettings(new ConfigReader(INDEX_ENV));
    const model = modelIndexState(events, settings).get('BTC-USD') as ModelIndexState;
    const quotes = events.filter((e) => e.type === 'quote' && e.symbol === 'BTC-USD');
    expect(new Set(quotes.map((q) => q.venue))).toEqual(new Set(VENUES.map((v) => v.venue)));
    expect(model.history.length).toBeGreaterThan(10);
    // Most seconds had every venue in: the simulator quotes each venue 10 times a second.
    expect(model.history.filter((v) => v.constituents.every((c) => c.reason !== 'no_data' && c.reason !== 'stale')).length).toBeGreaterThan(model.history.length / 2);

    // Redis holds exactly the model's values, byte for byte, for every grid second.
    expect(await s.redis.zrange('feed:index:h:BTC-USD', '0', '-1')).toEqual(model.history.map(serializeIndexValue));
    expect(await s.redis.get('feed:index:wm:BTC-USD')).toBe(String(model.watermark));
    expect(await s.redis.zrange('feed:index:min:BTC-USD', '0', '-1')).toEqual(model.minutes.map(serializeIndexMinute));

    // 24 h statistics from the minute bars: first and last priced values of the run.
    const priced = model.history.filter((v) => v.price !== null);
    const stats = await httpGetJson<Body>(`${s.apiUrl}/v1/index/stats?symbol=BTC-USD`);
    expect(stats).toMatchObject({ open: priced[0]?.price, last: priced.at(-1)?.price, seconds: priced.length });

    // The api serves the newest one, and the history.
    const newest = model.history[model.history.length - 1] as IndexValueV1;
    const latest = await httpGetJson<Body>(`${s.apiUrl}/v1/index?symbol=BTC-USD`);
    expect(latest).toMatchObject({ t: newest.t, price: newest.price, degraded: newest.degraded, included: newest.included, source: 'simulated' });
    expect((latest['constituents'] as IndexValueV1['constituents']).map((c) => [c.venue, c.price, c.included, c.reason, c.weight])).toEqual(
      newest.constituents.map((c) => [c.venue, c.price, c.included, c.reason, c.weight]),
    );
    const first = model.history[0] as IndexValueV1;
    const hist = await httpGetJson<Body>(`${s.apiUrl}/v1/index/history?symbol=BTC-USD&from=${first.t}&to=${newest.t}`);
    expect((hist['values'] as IndexValueV1[]).map((v) => [v.t, v.price, v.included, v.degraded])).toEqual(model.history.map((v) => [v.t, v.price, v.included, v.degraded]));

    // WebSocket index channel: v1 index frames, grid seconds never going back, ending with the newest value.
    await waitFor(() => pushed().at(-1)?.t === newest.t, { what: 'the newest index value pushed', timeoutMs: 10_000 });
    const items = pushed();
    // How many seconds each poll sees depends on load (the push sends the newest value per poll), so no count here.
    // Never backwards; the same second twice when a late input revised the newest value between two polls.
    expect(items.every((v, i) => i === 0 || v.t >= (items[i - 1] as IndexValueV1).t)).toBe(true);
    const modelTs = new Set(model.history.map((v) => v.t));
    expect(items.every((v) => modelTs.has(v.t) && v.symbol === 'BTC-USD' && v.source === 'simulated')).toBe(true);
    expect(items.at(-1)).toMatchObject({ t: newest.t, price: newest.price, included: newest.included, degraded: newest.degraded });
    ws.close();

    // Persister metrics: every stored second was computed at least once across the two persisters, and one of
    // them applied the last batch and reports the newest value's state.
    const texts = await Promise.all(s.apps.persister.map((p) => s.metrics(p)));
    expect(texts.reduce((n, t) => n + sumSamples(t, 'feed_index_computations_total', { symbol: 'BTC-USD' }), 0)).toBeGreaterThanOrEqual(model.history.length);
    expect(texts.some((t) => sumSamples(t, 'feed_index_included_constituents', { symbol: 'BTC-USD' }) === newest.included && sumSamples(t, 'feed_index_degraded', { symbol: 'BTC-USD' }) === (newest.degraded ? 1 : 0))).toBe(true);
  });
});
