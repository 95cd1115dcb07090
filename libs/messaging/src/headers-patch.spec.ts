import { Match, MsgHdrsImpl } from '@nats-io/nats-core/internal';
import { mulberry32 } from '@feed/venue-sim';
import { applyHeadersPatch } from './headers-patch';

/** The methods compared, with the match argument loose (nats.js types some of them as Exact only). */
interface Hdrs {
  get(k: string, m?: string): string;
  last(k: string, m?: string): string;
  has(k: string, m?: string): boolean;
  values(k: string, m?: string): string[];
  findKeys(k: string, m?: string): string[];
  set(k: string, v: string, m?: string): void;
  append(k: string, v: string, m?: string): void;
  delete(k: string, m?: string): void;
  keys(): string[];
  toString(): string;
  encode(): Uint8Array;
  readonly code: number;
  readonly description: string;
  readonly status: string;
}
type HdrsCtor = { new (): Hdrs; decode(a: Uint8Array): Hdrs };

/** A pristine copy of nats-core (its own module instance), untouched by the patch: the reference. */
let Pristine!: HdrsCtor;
jest.isolateModules(() => {
  Pristine = (jest.requireActual('@nats-io/nats-core/internal') as { MsgHdrsImpl: HdrsCtor }).MsgHdrsImpl;
});
applyHeadersPatch();
const Patched = MsgHdrsImpl as unknown as HdrsCtor;

/** Runs `f` and returns its result or the thrown error's class and message, so both outcomes compare. */
function outcome(f: () => unknown): unknown {
  try {
    const r = f();
    return r instanceof Uint8Array ? { bytes: Array.from(r) } : { ok: r };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** Everything observable about a header set. */
function view(h: Hdrs, keys: string[]): unknown {
  const matches = [undefined, Match.Exact, Match.CanonicalMIME, Match.IgnoreCase];
  return {
    text: h.toString(),
    keys: h.keys(),
    code: h.code,
    description: h.description,
    status: h.status,
    per: keys.map((k) =>
      matches.map((m) => [
        outcome(() => h.get(k, m)),
        outcome(() => h.last(k, m)),
        outcome(() => h.has(k, m)),
        outcome(() => h.values(k, m)),
        outcome(() => h.findKeys(k, m)),
      ]),
    ),
  };
}


const KEYS = ['Nats-Msg-Id', 'nats-msg-id', 'NATS-MSG-ID', 'Feed-Source', 'traceparent', 'a', 'bad key', 'x:y', '', 'ü'];
const VALUES = ['v', ' padded ', 'a\r\nb', 'line\n', '', 'trade:binance:BTC-USDT:1', 'ü', 'x\ry'];
const MATCHES = [undefined, Match.Exact, Match.CanonicalMIME, Match.IgnoreCase];

describe('the nats.js headers patch', () => {
  it('given random set/append/delete sequences in every match mode, then every read, error and encoding equals the library', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const r = mulberry32(seed);
      const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
      const a = new Patched();
      const b = new Pristine();
      for (let step = 0; step < 12; step++) {
        const op = pick(['set', 'append', 'delete'] as const);
        const k = pick(KEYS);
        const v = pick(VALUES);
        const m = pick(MATCHES);
        const got = outcome(() => (op === 'delete' ? a.delete(k, m) : a[op](k, v, m)));
        const want = outcome(() => (op === 'delete' ? b.delete(k, m) : b[op](k, v, m)));
        expect({ seed, step, op, k, v, m, r: got }).toEqual({ seed, step, op, k, v, m, r: want });
        if (step % 4 === 3) expect(view(a, KEYS)).toEqual(view(b, KEYS));
      }
      expect(Array.from(a.encode())).toEqual(Array.from(b.encode()));
    }
  });

  it('given header blocks as they arrive (odd spacing, repeats, status lines, bad names or values), then decode equals the library', () => {
    const blocks = [
      'NATS/1.0\r\nNats-Msg-Id: trade:binance:BTC-USDT:1\r\nFeed-Source: live\r\n\r\n',
      'NATS/1.0\r\nA: 1\r\nA: 2\r\na: 3\r\n\r\n',
      'NATS/1.0\r\nK:   spaced   \r\nNoColon\r\n:empty-name\r\nK2:\r\n\r\n',
      'NATS/1.0',
      'NATS/1.0\r\n',
      'NATS/1.0\r\nK: v\r',
      'NATS/1.0\r\nK: a\nb\r\n\r\n',
      'NATS/1.0\r\nbad key: v\r\n\r\n',
      'NATS/1.0\r\nK: v: with: colons\r\n\r\n',
      'NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 5\r\nNats-Pending-Bytes: 10\r\n\r\n',
      'NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 3\r\n\r\n',
      'NATS/1.0 503\r\n\r\n',
      'NATS/1.0  \r\nK: v\r\n\r\n',
      'NATS/1.0\r\nÜ: ü\r\n\r\n',
    ];
    const enc = new TextEncoder();
    for (const block of blocks) {
      const bytes = enc.encode(block);
      const got = outcome(() => view(Patched.decode(bytes), [...KEYS, 'A', 'K', 'K2', 'NoColon', 'Nats-Pending-Messages', 'Ü']));
      const want = outcome(() => view(Pristine.decode(bytes), [...KEYS, 'A', 'K', 'K2', 'NoColon', 'Nats-Pending-Messages', 'Ü']));
      expect({ block, r: got }).toEqual({ block, r: want });
    }
  });

  it('when a header is read by its exact name, then the key list is not built and filtered (the cost removed)', () => {
    const h = new Patched();
    h.set('Nats-Msg-Id', 'trade:binance:BTC-USDT:7');
    const spy = jest.spyOn(Patched.prototype as Hdrs, 'findKeys');
    expect(h.get('Nats-Msg-Id')).toBe('trade:binance:BTC-USDT:7');
    expect(h.has('Feed-Source')).toBe(false);
    h.set('Feed-Source', 'live');
    expect(spy).not.toHaveBeenCalled();
    // Other match modes still take the library's own path.
    expect(h.get('nats-msg-id', Match.IgnoreCase)).toBe('trade:binance:BTC-USDT:7');
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });
});
