import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { SyncContextManager } from './sync-context';

const KEY = createContextKey('spec');
const ctxOf = (v: string) => ROOT_CONTEXT.setValue(KEY, v);
const valueOf = (m: SyncContextManager) => m.active().getValue(KEY);

describe('SyncContextManager', () => {
  it('given no with(), then the active context is the root', () => {
    expect(new SyncContextManager().active()).toBe(ROOT_CONTEXT);
  });

  it('when with() runs a callback, then its context is active inside, the result is returned and the outer context is restored', () => {
    const m = new SyncContextManager();
    const result = m.with(ctxOf('a'), (x: number, y: number) => `${String(valueOf(m))}:${x + y}`, undefined, 1, 2);
    expect(result).toBe('a:3');
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('when with() calls nest, then the innermost context is active and each level is restored on the way out', () => {
    const m = new SyncContextManager();
    const seen: unknown[] = [];
    m.with(ctxOf('outer'), () => {
      seen.push(valueOf(m));
      m.with(ctxOf('inner'), () => seen.push(valueOf(m)));
      seen.push(valueOf(m));
    });
    seen.push(valueOf(m));
    expect(seen).toEqual(['outer', 'inner', 'outer', undefined]);
  });

  it('when the callback throws, then the outer context is restored and the error propagates', () => {
    const m = new SyncContextManager();
    expect(() =>
      m.with(ctxOf('a'), () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('when the callback awaits, then the context is active before the await only (no promise hooks), and re-entering it works', async () => {
    const m = new SyncContextManager();
    const seen: unknown[] = [];
    const ctx = ctxOf('batch');
    await m.with(ctx, async () => {
      seen.push(valueOf(m));
      await new Promise((r) => setImmediate(r));
      seen.push(valueOf(m));
      m.with(ctx, () => seen.push(valueOf(m)));
    });
    expect(seen).toEqual(['batch', undefined, 'batch']);
  });

  it('when a function is bound to a context, then it runs in that context with its own this and arguments', () => {
    const m = new SyncContextManager();
    const target = { name: 't', f(this: { name: string }, n: number) {
      return `${this.name}:${n}:${String(valueOf(m))}`;
    } };
    target.f = m.bind(ctxOf('bound'), target.f);
    expect(target.f(7)).toBe('t:7:bound');
    const notAFunction = { x: 1 };
    expect(m.bind(ctxOf('bound'), notAFunction)).toBe(notAFunction);
  });

  it('when disabled, then the root context is active again', () => {
    const m = new SyncContextManager();
    m.with(ctxOf('a'), () => {
      m.disable();
      expect(m.active()).toBe(ROOT_CONTEXT);
    });
  });
});
