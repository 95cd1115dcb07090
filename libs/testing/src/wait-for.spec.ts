import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('resolves with the first truthy probe value, retrying after falsy values and exceptions', async () => {
    let calls = 0;
    const v = await waitFor(
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls >= 3 ? { calls } : undefined;
      },
      { what: 'the third call', intervalMs: 1 },
    );
    expect(v).toEqual({ calls: 3 });
  });

  it('awaits async probes', async () => {
    let n = 0;
    await expect(waitFor(async () => ++n === 2 && 'ok', { what: 'async', intervalMs: 1 })).resolves.toBe('ok');
  });

  it('on timeout names what was awaited, the elapsed time and the last probe error', async () => {
    const err = await waitFor(
      () => {
        throw new Error('connection refused');
      },
      { what: 'the widget to be ready', timeoutMs: 150, intervalMs: 10 },
    ).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^waitFor "the widget to be ready" timed out after \d+ ms \(limit 150 ms\); last probe error: Error: connection refused$/);
  });

  it('on timeout reports the last falsy value when the probe never threw', async () => {
    await expect(waitFor(() => false, { what: 'x', timeoutMs: 50 })).rejects.toThrow(/last probe value: false/);
  });

  it('cuts off a probe that never settles', async () => {
    await expect(waitFor(() => new Promise<boolean>(() => undefined), { what: 'hang', timeoutMs: 50 })).rejects.toThrow(
      /the probe never completed/,
    );
  });

  it('stops at once when aborted, with the abort reason', async () => {
    const ac = new AbortController();
    const p = waitFor(() => false, { what: 'never', timeoutMs: 60_000, signal: ac.signal });
    ac.abort(new Error('server exited'));
    await expect(p).rejects.toThrow('server exited');
  });
});
