import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

interface Common<T> {
  /** Older names accepted for the same setting (e.g. the legacy v3 feed's REDIS_USE_SSL). First set wins. */
  aliases?: readonly string[];
  default?: T;
  /** Explains the setting in the error message. */
  help?: string;
}

/**
 * Typed, fail-loud reader over an environment snapshot (hard rule 5). Every getter records problems instead
 * of throwing, so `done()` reports all of them together. This module is the only place that reads
 * `process.env` (enforced by lint); apps call `fromProcessEnv()` once in main.ts.
 */
export class ConfigReader {
  private readonly problems: string[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly env: Env) {}

  private raw(name: string, aliases: readonly string[] = []): { name: string; value: string } | undefined {
    for (const n of [name, ...aliases]) {
      this.used.add(n);
      const v = this.env[n];
      if (v !== undefined && v !== '') return { name: n, value: v.trim() };
    }
    return undefined;
  }

  private fail<T>(msg: string, fallback: T): T {
    this.problems.push(msg);
    return fallback;
  }

  string(name: string, opts: Common<string> = {}): string {
    const r = this.raw(name, opts.aliases);
    if (r) return r.value;
    if (opts.default !== undefined) return opts.default;
    return this.fail(`${name} is required${opts.help ? ` (${opts.help})` : ''}`, '');
  }

  optionalString(name: string, opts: Omit<Common<string>, 'default'> = {}): string | undefined {
    return this.raw(name, opts.aliases)?.value;
  }

  int(name: string, opts: Common<number> & { min?: number; max?: number } = {}): number {
    const r = this.raw(name, opts.aliases);
    if (!r) return opts.default !== undefined ? opts.default : this.fail(`${name} is required`, 0);
    if (!/^-?\d+$/.test(r.value)) return this.fail(`${r.name}=${JSON.stringify(r.value)} is not an integer`, opts.default ?? 0);
    const n = Number(r.value);
    if (opts.min !== undefined && n < opts.min) return this.fail(`${r.name}=${n} is below the minimum ${opts.min}`, opts.default ?? 0);
    if (opts.max !== undefined && n > opts.max) return this.fail(`${r.name}=${n} is above the maximum ${opts.max}`, opts.default ?? 0);
    return n;
  }

  number(name: string, opts: Common<number> & { min?: number; max?: number } = {}): number {
    const r = this.raw(name, opts.aliases);
    if (!r) return opts.default !== undefined ? opts.default : this.fail(`${name} is required`, 0);
    const n = Number(r.value);
    if (!Number.isFinite(n)) return this.fail(`${r.name}=${JSON.stringify(r.value)} is not a number`, opts.default ?? 0);
    if (opts.min !== undefined && n < opts.min) return this.fail(`${r.name}=${n} is below the minimum ${opts.min}`, opts.default ?? 0);
    if (opts.max !== undefined && n > opts.max) return this.fail(`${r.name}=${n} is above the maximum ${opts.max}`, opts.default ?? 0);
    return n;
  }

  bool(name: string, opts: Common<boolean> = {}): boolean {
    const r = this.raw(name, opts.aliases);
    if (!r) return opts.default ?? false;
    const v = r.value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    return this.fail(`${r.name}=${JSON.stringify(r.value)} is not a boolean (true/false)`, opts.default ?? false);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], opts: Common<T> = {}): T {
    const r = this.raw(name, opts.aliases);
    if (!r) return opts.default !== undefined ? opts.default : this.fail(`${name} is required (one of ${allowed.join('|')})`, allowed[0] as T);
    const v = r.value.toLowerCase();
    if ((allowed as readonly string[]).includes(v)) return v as T;
    return this.fail(`${r.name}=${JSON.stringify(r.value)} is not one of ${allowed.join('|')}`, (opts.default ?? allowed[0]) as T);
  }

  list(name: string, opts: Common<string[]> = {}): string[] {
    const r = this.raw(name, opts.aliases);
    if (!r) return opts.default ?? this.fail(`${name} is required (comma-separated)`, []);
    return r.value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  }

  /**
   * A secret from `NAME` or from the file named by `NAME_FILE` (Docker secrets under /run/secrets), never both:
   * like the official images, setting both is an error rather than a silent precedence rule.
   */
  secret(name: string, opts: { aliases?: readonly string[]; required?: boolean } = {}): string | undefined {
    const names = [name, ...(opts.aliases ?? [])];
    let plain: { name: string; value: string } | undefined;
    let file: { name: string; value: string } | undefined;
    for (const n of names) {
      this.used.add(n);
      this.used.add(`${n}_FILE`);
      if (!plain && this.env[n]) plain = { name: n, value: this.env[n] as string };
      if (!file && this.env[`${n}_FILE`]) file = { name: `${n}_FILE`, value: (this.env[`${n}_FILE`] as string).trim() };
    }
    if (plain && file) return this.fail(`${plain.name} and ${file.name} are both set: use one`, undefined);
    if (file) {
      try {
        return readFileSync(file.value, 'utf8').replace(/\r?\n$/, '');
      } catch (e) {
        return this.fail(`${file.name}: cannot read ${file.value} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, undefined);
      }
    }
    if (plain) return plain.value;
    if (opts.required) return this.fail(`${name} (or ${name}_FILE) is required`, undefined);
    return undefined;
  }

  /** Record a cross-field problem found by the caller. */
  problem(msg: string): void {
    this.problems.push(msg);
  }

  /** Throws ConfigError listing every problem found so far. Call once, after reading everything. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError([...this.problems]);
  }
}

/** The single read of the process environment. */
export function fromProcessEnv(): ConfigReader {
  return new ConfigReader({ ...process.env });
}
