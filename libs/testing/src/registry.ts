import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import vm from 'node:vm';
import { Reaper } from './reaper';

/** Anything a test starts that must be stopped: servers, clusters, apps. `dispose` must be idempotent. */
export interface Tracked {
  readonly name: string;
  dispose(): Promise<void>;
}

export interface LiveChild {
  pid: number;
  name: string;
}

/**
 * Under jest the `process` global of a test file is a copy whose 'exit' listeners never fire (checked with
 * jest 30: a listener added there is silently lost). Code run with vm.runInThisContext sees Node's main
 * context, where `process` is the real one.
 */
export function realProcess(): NodeJS.Process {
  try {
    const p: unknown = vm.runInThisContext('process');
    if (p && typeof (p as NodeJS.Process).on === 'function') return p as NodeJS.Process;
  } catch {
    // not expected; fall back to the global
  }
  return process;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Tracks every resource, child process and temp dir the harness creates, so that one `cleanupAll()` in
 * `afterAll` stops everything, and so that nothing outlives the test process even when the test never
 * gets to its cleanup: a synchronous `exit` hook SIGKILLs what is left, and a detached reaper does the same
 * if this process is itself killed.
 */
export class ProcessRegistry {
  private readonly resources = new Set<Tracked>();
  private readonly children = new Map<number, string>();
  private readonly dirs = new Set<string>();
  private readonly reaper = new Reaper();
  private hooked = false;
  private readonly onExit = (): void => this.killAllSync();

  track(r: Tracked): void {
    this.resources.add(r);
  }
  untrack(r: Tracked): void {
    this.resources.delete(r);
  }

  trackChild(pid: number, name: string): void {
    this.children.set(pid, name);
    this.reaper.addPid(pid);
    this.hook();
  }
  untrackChild(pid: number): void {
    if (this.children.delete(pid)) this.reaper.removePid(pid);
  }

  trackDir(dir: string): void {
    this.dirs.add(dir);
    this.reaper.addDir(dir);
    this.hook();
  }
  untrackDir(dir: string): void {
    if (this.dirs.delete(dir)) this.reaper.removeDir(dir);
  }

  /** Child processes started by the harness that are still running. Empty after a clean teardown. */
  alive(): LiveChild[] {
    return [...this.children].filter(([pid]) => isAlive(pid)).map(([pid, name]) => ({ pid, name }));
  }

  /** Names of resources not yet disposed. */
  pending(): string[] {
    return [...this.resources].map((r) => r.name);
  }

  trackedDirs(): string[] {
    return [...this.dirs];
  }

  /**
   * Disposes everything, newest first (apps before the servers they use, so their shutdown can drain), then
   * SIGKILLs any stray child and removes remaining temp dirs. Every resource is attempted even if one fails;
   * failures are rethrown together at the end.
   */
  async cleanupAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const r of [...this.resources].reverse()) {
      try {
        await r.dispose();
      } catch (e) {
        errors.push(e);
      }
      this.resources.delete(r);
    }
    for (const { pid } of this.alive()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of [...this.dirs]) {
      await rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch((e: unknown) => errors.push(e));
      this.untrackDir(dir);
    }
    if (this.children.size === 0 && this.dirs.size === 0) this.unhook();
    if (errors.length > 0) throw new AggregateError(errors, `cleanupAll: ${errors.length} resource(s) failed to clean up`);
  }

  /** For the process 'exit' hook, where only synchronous work runs. */
  killAllSync(): void {
    for (const pid of this.children.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const dir of this.dirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort at exit
      }
    }
  }

  private hook(): void {
    if (this.hooked) return;
    this.hooked = true;
    realProcess().on('exit', this.onExit);
  }

  private unhook(): void {
    if (!this.hooked) return;
    this.hooked = false;
    realProcess().off('exit', this.onExit);
    this.reaper.close();
  }
}

/** The one registry of this process (of this test file, under jest's per-file module registry). */
export const registry = new ProcessRegistry();

/** `afterAll(cleanupAll)`: stops every server and app the harness started and removes their temp dirs. */
export function cleanupAll(): Promise<void> {
  return registry.cleanupAll();
}
