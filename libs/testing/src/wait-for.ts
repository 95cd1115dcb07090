export type Falsy = undefined | null | false | 0 | '';

export interface WaitForOptions {
  /** What is being waited for, in words; it heads the timeout error. */
  what: string;
  timeoutMs?: number;
  intervalMs?: number;
  /** Aborting ends the wait at once with the abort reason (e.g. the server process exited). */
  signal?: AbortSignal;
}

function describe(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 500 ? `${s.slice(0, 500)}...` : s;
  } catch {
    return String(v);
  }
}

function abortError(signal: AbortSignal, what: string): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error(`waitFor "${what}" aborted: ${describe(r)}`);
}

/**
 * Polls `probe` until it returns a truthy value and resolves with that value. A probe that throws is
 * remembered and retried (servers refuse connections while starting); at the deadline the error says what
 * was awaited, for how long, and the last thing the probe said, because that is what explains a failure.
 * A probe call that hangs is cut off at the deadline rather than stalling the wait forever.
 */
export function waitFor<T>(
  probe: () => T | Falsy | Promise<T | Falsy>,
  opts: WaitForOptions,
): Promise<T> {
  const { what, timeoutMs = 10_000, intervalMs = 50, signal } = opts;
  const started = Date.now();
  let last: { kind: 'error' | 'value'; v: unknown } | undefined;
  let pending = false;

  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (err: Error | undefined, value?: T): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(value as T);
    };
    const onAbort = (): void => finish(abortError(signal as AbortSignal, what));
    const deadline = setTimeout(() => {
      const elapsed = Date.now() - started;
      const tail = !last
        ? 'the probe never completed'
        : last.kind === 'error'
          ? `last probe error: ${describe(last.v)}`
          : `last probe value: ${describe(last.v)}`;
      const hung = pending && last ? '; the latest probe call was still pending' : '';
      finish(new Error(`waitFor "${what}" timed out after ${elapsed} ms (limit ${timeoutMs} ms); ${tail}${hung}`));
    }, timeoutMs);

    const attempt = async (): Promise<void> => {
      pending = true;
      try {
        const v = await probe();
        if (v) return finish(undefined, v as T);
        last = { kind: 'value', v };
      } catch (e) {
        last = { kind: 'error', v: e };
      }
      pending = false;
      if (!done) timer = setTimeout(() => void attempt(), intervalMs);
    };

    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    void attempt();
  });
}
