import type { Logger } from '@feed/logging';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/**
 * Clean shutdown on SIGTERM/SIGINT (hard rule 6): run the steps in order (stop taking work, finish in-flight,
 * drain NATS, close Redis, close servers), each logged with its duration; if the whole sequence passes
 * `timeoutMs` the process exits 1 anyway, so a stuck dependency can never hold a task past its grace period.
 * Returns a function that triggers the same sequence (used on fatal errors).
 */
export function installShutdown(log: Logger, timeoutMs: number, steps: () => ShutdownStep[]): (reason: string, code?: number) => Promise<void> {
  let started = false;
  const shutdown = async (reason: string, code = 0): Promise<void> => {
    if (started) return;
    started = true;
    const t0 = Date.now();
    log.info({ reason, timeoutMs }, 'shutting down');
    const killer = setTimeout(() => {
      log.error({ elapsedMs: Date.now() - t0 }, 'shutdown exceeded its bound: exiting');
      process.exit(1);
    }, timeoutMs);
    killer.unref();
    let exitCode = code;
    for (const step of steps()) {
      const s0 = Date.now();
      try {
        await step.run();
        log.info({ step: step.name, ms: Date.now() - s0 }, 'shutdown step done');
      } catch (e) {
        exitCode = exitCode || 1;
        log.warn({ step: step.name, err: e instanceof Error ? e.message : String(e) }, 'shutdown step failed');
      }
    }
    log.info({ ms: Date.now() - t0, code: exitCode }, 'shutdown complete');
    log.flush?.();
    clearTimeout(killer);
    // Give pino's async destination a tick to write the last lines.
    setTimeout(() => process.exit(exitCode), 20);
  };
  // `on`, not `once`: with a once-listener a repeated SIGTERM (an operator or supervisor re-sending it) hit Node's
  // default action and killed the process mid-drain. Repeats are absorbed (the sequence runs once) and the bound
  // above still guarantees the exit. A second SIGINT (Ctrl-C twice) keeps its usual meaning: quit now.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return shutdown;
}

/** Awaits `p` but gives up after `ms`, rejecting with a message naming `what` (bounded start-up waits). */
export async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not complete within ${ms} ms`), { code: 'STARTUP_TIMEOUT' })), ms);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
