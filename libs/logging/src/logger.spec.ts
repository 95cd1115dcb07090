import { context, trace, TraceFlags, ROOT_CONTEXT, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createLogger, errFields, type Logger } from './logger';

/** A destination that keeps every write: pino calls write() once per log line. */
function capture(): { writes: string[]; lines: () => Array<Record<string, unknown>>; dest: { write(s: string): void } } {
  const writes: string[] = [];
  return {
    writes,
    dest: { write: (s: string) => void writes.push(s) },
    lines: () =>
      writes.map((w) => {
        // One JSON object per line: each write is exactly one line ending in a newline.
        expect(w.endsWith('\n')).toBe(true);
        expect(w.slice(0, -1).includes('\n')).toBe(false);
        return JSON.parse(w) as Record<string, unknown>;
      }),
  };
}

function logger(level = 'info'): { log: Logger; out: ReturnType<typeof capture> } {
  const out = capture();
  return { log: createLogger({ service: 'persister', instanceId: 'host-a-123', level, destination: out.dest }), out };
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const spanCtx: SpanContext = { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED };
const ctxManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  ctxManager.enable();
  expect(context.setGlobalContextManager(ctxManager)).toBe(true);
});

afterAll(() => {
  context.disable();
});

describe('createLogger', () => {
  it('writes one JSON object per line with service, instance, level, msg and an ISO time', () => {
    const { log, out } = logger();
    log.info('first');
    log.warn({ venue: 'binance', n: 3 }, 'second');
    log.error('third');
    const lines = out.lines();
    expect(out.writes).toHaveLength(3);
    expect(lines[0]).toEqual({ level: 'info', time: expect.any(String), service: 'persister', instance: 'host-a-123', msg: 'first' });
    expect(lines[1]).toEqual({ level: 'warn', time: expect.any(String), service: 'persister', instance: 'host-a-123', venue: 'binance', n: 3, msg: 'second' });
    expect(lines[2]).toMatchObject({ level: 'error', msg: 'third' });
    for (const l of lines) {
      expect(l['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(l['time'] as string) - Date.now())).toBeLessThan(60_000);
    }
  });

  it('drops lines below the configured level', () => {
    const { log, out } = logger('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(out.lines().map((l) => [l['level'], l['msg']])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });

  it('child loggers keep service and instance and add their bindings', () => {
    const { log, out } = logger();
    log.child({ module: 'consumer' }).info('batch');
    expect(out.lines()[0]).toEqual({ level: 'info', time: expect.any(String), service: 'persister', instance: 'host-a-123', module: 'consumer', msg: 'batch' });
  });

  it('keeps a message with a newline on one line', () => {
    const { log, out } = logger();
    log.info('two\nlines');
    expect(out.lines()[0]?.['msg']).toBe('two\nlines');
  });
});

describe('redaction', () => {
  const SECRETS = ['s3cr3t-pw', 'tok-123', 'pass-456', 'nested-pw', 'nested-tok', 'nested-pass', 'Bearer abc', 'redis-pw', 'nats-pw', 'nats-tok'];

  it('censors password, pass and token at every listed path, and only those', () => {
    const { log, out } = logger();
    log.info(
      {
        password: 's3cr3t-pw',
        token: 'tok-123',
        pass: 'pass-456',
        db: { password: 'nested-pw', token: 'nested-tok', pass: 'nested-pass', host: 'redis-a' },
        headers: { authorization: 'Bearer abc', 'content-type': 'application/json' },
        redis: { password: 'redis-pw', port: 6380 },
        nats: { pass: 'nats-pw', token: 'nats-tok', user: 'feed' },
        user: 'feed',
      },
      'connecting',
    );
    const raw = out.writes.join('');
    for (const s of SECRETS) expect(raw).not.toContain(s);
    expect(out.lines()[0]).toEqual({
      level: 'info',
      time: expect.any(String),
      service: 'persister',
      instance: 'host-a-123',
      password: '[redacted]',
      token: '[redacted]',
      pass: '[redacted]',
      db: { password: '[redacted]', token: '[redacted]', pass: '[redacted]', host: 'redis-a' },
      headers: { authorization: '[redacted]', 'content-type': 'application/json' },
      redis: { password: '[redacted]', port: 6380 },
      nats: { pass: '[redacted]', token: '[redacted]', user: 'feed' },
      user: 'feed',
      msg: 'connecting',
    });
  });

  it('censors secrets in child bindings too', () => {
    const { log, out } = logger();
    log.child({ redis: { host: 'r', password: 'redis-pw' }, token: 'tok-123' }).info('up');
    const raw = out.writes.join('');
    expect(raw).not.toContain('redis-pw');
    expect(raw).not.toContain('tok-123');
    expect(out.lines()[0]).toMatchObject({ redis: { host: 'r', password: '[redacted]' }, token: '[redacted]', msg: 'up' });
  });

  it('does not mutate the logged object', () => {
    const { log } = logger();
    const obj = { password: 'x', nested: { token: 'y' } };
    log.info(obj, 'm');
    expect(obj).toEqual({ password: 'x', nested: { token: 'y' } });
  });
});

describe('trace ids', () => {
  it('adds trace_id and span_id inside an active span, also after an await', async () => {
    const { log, out } = logger();
    await context.with(trace.setSpan(context.active(), trace.wrapSpanContext(spanCtx)), async () => {
      log.info('inside');
      await new Promise((r) => setImmediate(r));
      log.child({ module: 'm' }).info('after await');
    });
    log.info('outside');
    const [inside, afterAwait, outside] = out.lines();
    expect(inside).toEqual({ level: 'info', time: expect.any(String), service: 'persister', instance: 'host-a-123', trace_id: TRACE_ID, span_id: SPAN_ID, msg: 'inside' });
    expect(afterAwait).toMatchObject({ trace_id: TRACE_ID, span_id: SPAN_ID, module: 'm', msg: 'after await' });
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('span_id');
  });

  it('uses the innermost span', () => {
    const { log, out } = logger();
    const inner: SpanContext = { traceId: TRACE_ID, spanId: '1111111111111111', traceFlags: TraceFlags.SAMPLED };
    context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(spanCtx)), () => {
      context.with(trace.setSpan(context.active(), trace.wrapSpanContext(inner)), () => log.info('inner'));
      log.info('outer');
    });
    expect(out.lines().map((l) => [l['msg'], l['span_id']])).toEqual([
      ['inner', '1111111111111111'],
      ['outer', SPAN_ID],
    ]);
  });

  it('omits them outside any span and for the invalid (all-zero) span context', () => {
    const { log, out } = logger();
    log.info('no span');
    const invalid: SpanContext = { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.NONE };
    context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(invalid)), () => log.info('invalid span'));
    for (const l of out.lines()) {
      expect(Object.keys(l).sort()).toEqual(['instance', 'level', 'msg', 'service', 'time']);
    }
  });
});

describe('errFields', () => {
  it('keeps the name, message and stable code of an error', () => {
    const e = Object.assign(new Error('cannot reach Redis'), { code: 'REDIS_UNREACHABLE', stack: 'huge', extra: { big: 'x'.repeat(10_000) } });
    expect(errFields(e)).toEqual({ err: { type: 'Error', message: 'cannot reach Redis', code: 'REDIS_UNREACHABLE' } });
  });

  it('uses the subclass name and keeps numeric codes, including 0', () => {
    class ConsumerError extends Error {
      override readonly name = 'ConsumerError';
    }
    expect(errFields(Object.assign(new ConsumerError('gone'), { code: 503 }))).toEqual({ err: { type: 'ConsumerError', message: 'gone', code: 503 } });
    expect(errFields(Object.assign(new TypeError('t'), { code: 0 }))).toEqual({ err: { type: 'TypeError', message: 't', code: 0 } });
  });

  it('has no code key when the error has none', () => {
    expect(errFields(new RangeError('r'))).toEqual({ err: { type: 'RangeError', message: 'r' } });
    expect(Object.keys((errFields(new Error('x')) as { err: object }).err)).toEqual(['type', 'message']);
  });

  it('turns a thrown non-error into its string form', () => {
    expect(errFields('plain')).toEqual({ err: { message: 'plain' } });
    expect(errFields(42)).toEqual({ err: { message: '42' } });
    expect(errFields(undefined)).toEqual({ err: { message: 'undefined' } });
  });

  it('survives a logger round trip with the code intact', () => {
    const { log, out } = logger();
    log.error(errFields(Object.assign(new Error('boom'), { code: 'E_BOOM' })), 'failed');
    expect(out.lines()[0]).toMatchObject({ level: 'error', msg: 'failed', err: { type: 'Error', message: 'boom', code: 'E_BOOM' } });
  });
});

describe('errors logged under `err`', () => {
  it('an Error object is written in the errFields form (name, message, code; no stack)', () => {
    const { log, out } = logger();
    class LeaseLost extends Error {
      override readonly name = 'LeaseLost';
      readonly code = 'LEASE_LOST';
    }
    log.warn({ err: new LeaseLost('taken over') }, 'lease');
    log.warn({ err: 'just text' }, 'text');
    const [a, b] = out.lines();
    expect(a?.['err']).toEqual({ type: 'LeaseLost', message: 'taken over', code: 'LEASE_LOST' });
    expect(b?.['err']).toBe('just text');
  });
});
