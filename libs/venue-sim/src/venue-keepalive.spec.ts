import { startVenueSim, type VenueSim } from './simulator';
import { sleep, TestClient, waitFor } from './spec-helpers';

type Obj = Record<string, unknown>;
const json = (c: TestClient): Obj[] => c.frames.filter((f) => f !== 'pong').map((f) => JSON.parse(f) as Obj);

describe('venue keepalive rules (scaled down)', () => {
  let sim: VenueSim | undefined;
  const clients: TestClient[] = [];
  const open = async (url: string): Promise<TestClient> => {
    const c = await TestClient.open(url);
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim?.close();
    sim = undefined;
  });

  it('OKX closes a client that never pings after the idle timeout; "ping" is answered "pong" and keeps it open', async () => {
    sim = await startVenueSim({ venues: ['okx'], rate: 0, keepaliveByVenue: { okx: { idleTimeoutMs: 300 } } });
    const url = `${sim.venueUrl('okx')}/ws/v5/public`;
    const silent = await open(url);
    const pinging = await open(url);
    silent.send('{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}]}');
    const timer = setInterval(() => pinging.ws.readyState === pinging.ws.OPEN && pinging.send('ping'), 100);
    const closed = await silent.whenClosed;
    clearInterval(timer);
    expect(closed.atMs - silent.openedAtMs).toBeGreaterThanOrEqual(290);
    expect(closed.atMs - silent.openedAtMs).toBeLessThan(1000);
    expect(closed.code).toBe(4000);
    expect(json(silent)[0]).toMatchObject({ event: 'subscribe', arg: { channel: 'trades', instId: 'BTC-USDT' }, connId: expect.stringMatching(/^[0-9a-f]{8}$/) });
    expect(pinging.closed).toBeNull();
    expect(pinging.frames.filter((f) => f === 'pong').length).toBeGreaterThanOrEqual(2);
    expect(sim.counters.idleCloses).toBe(1);
  });

  it('Bybit answers {"op":"ping"} with the documented pong', async () => {
    sim = await startVenueSim({ venues: ['bybit'], rate: 0 });
    const c = await open(`${sim.venueUrl('bybit')}/v5/public/spot`);
    c.send('{"req_id":"100001","op":"ping"}');
    await waitFor(() => c.frames.length === 1, 'pong');
    expect(json(c)[0]).toEqual({ success: true, ret_msg: 'pong', conn_id: expect.any(String), req_id: '100001', op: 'ping' });
  });

  it('Kraken sends a status message, heartbeats about once an interval when idle, none while trades flow; ping -> pong', async () => {
    sim = await startVenueSim({ venues: ['kraken'], rate: 0, heartbeatIntervalMs: 50 });
    const s = sim;
    const c = await open(`${s.venueUrl('kraken')}/v2`);
    c.send('{"method":"ping","req_id":42}');
    await waitFor(() => json(c).filter((m) => m['channel'] === 'heartbeat').length >= 5, '5 heartbeats');
    const msgs = json(c);
    expect(msgs[0]).toMatchObject({ channel: 'status', type: 'update', data: [{ system: 'online', api_version: 'v2' }] });
    expect(msgs.find((m) => m['method'] === 'pong')).toMatchObject({ method: 'pong', req_id: 42, time_in: expect.any(String), time_out: expect.any(String) });
    expect(msgs.filter((m) => m['channel'] === 'heartbeat').every((m) => JSON.stringify(m) === '{"channel":"heartbeat"}')).toBe(true);
    c.send('{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"]}}');
    s.setRate(500);
    await waitFor(() => json(c).some((m) => m['channel'] === 'trade'), 'trades');
    const before = json(c).filter((m) => m['channel'] === 'heartbeat').length;
    await sleep(300); // time passing: trades flow every few ms, so no heartbeat is due
    expect(json(c).filter((m) => m['channel'] === 'heartbeat').length).toBeLessThanOrEqual(before + 1);
  });

  it('Coinbase: sequence_num +1 per message per connection; heartbeats keep a connection open, without them it closes', async () => {
    sim = await startVenueSim({ venues: ['coinbase'], rate: 0, heartbeatIntervalMs: 40, keepaliveByVenue: { coinbase: { idleTimeoutMs: 300 } } });
    const s = sim;
    const withHb = await open(s.venueUrl('coinbase'));
    const without = await open(s.venueUrl('coinbase'));
    withHb.send('{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}');
    withHb.send('{"type":"subscribe","channel":"heartbeats"}');
    without.send('{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}');
    const closed = await without.whenClosed; // a quiet market and no heartbeats subscription: closed when idle
    expect(closed.code).toBe(4000);
    expect(closed.atMs - without.openedAtMs).toBeGreaterThanOrEqual(290);
    s.setRate(200); // trades and heartbeats interleave on the other connection
    await waitFor(() => json(withHb).filter((m) => m['channel'] === 'market_trades').length >= 5, 'trades');
    s.setRate(0);
    await sleep(100);
    expect(withHb.closed).toBeNull();
    expect(s.counters.idleCloses).toBe(1);
    const msgs = json(withHb);
    expect(msgs.map((m) => m['sequence_num'])).toEqual(msgs.map((_, i) => i));
    expect(msgs[0]).toMatchObject({ channel: 'subscriptions', events: [{ subscriptions: { market_trades: ['BTC-USD'] } }] });
    const hb = msgs.find((m) => m['channel'] === 'heartbeats') as Obj;
    expect(hb).toMatchObject({ client_id: '', timestamp: expect.any(String), events: [{ current_time: expect.any(String), heartbeat_counter: expect.stringMatching(/^\d+$/) }] });
    expect(json(without).map((m) => m['sequence_num'])).toEqual(json(without).map((_, i) => i));
  });

  it('Bitstamp answers bts:heartbeat and bts:subscribe as documented', async () => {
    sim = await startVenueSim({ venues: ['bitstamp'], rate: 0 });
    const c = await open(sim.venueUrl('bitstamp'));
    c.send('{"event":"bts:heartbeat"}');
    c.send('{"event":"bts:subscribe","data":{"channel":"live_trades_btcusd"}}');
    c.send('{"event":"bts:subscribe","data":{"channel":"nonsense"}}');
    await waitFor(() => c.frames.length === 3, 'three replies');
    expect(json(c)).toEqual([
      { event: 'bts:heartbeat', channel: '', data: { status: 'success' } },
      { event: 'bts:subscription_succeeded', channel: 'live_trades_btcusd', data: {} },
      { event: 'bts:error', channel: '', data: { code: null, message: 'Incorrect channel name' } },
    ]);
  });
});
