import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors';
import { ConfigReader, fromProcessEnv } from './reader';

/** The problems a reader recorded ([] when done() does not throw). */
function problems(r: ConfigReader): string[] {
  try {
    r.done();
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'feed-config-spec-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('ConfigReader.int', () => {
  it('parses integers, trims, and falls back to the default when unset or empty', () => {
    const r = new ConfigReader({ A: '42', B: ' -7 ', C: '', Z: '0' });
    expect(r.int('A')).toBe(42);
    expect(r.int('B')).toBe(-7);
    expect(r.int('C', { default: 5 })).toBe(5);
    expect(r.int('UNSET', { default: 9 })).toBe(9);
    expect(r.int('Z', { default: 9 })).toBe(0);
    expect(problems(r)).toEqual([]);
  });

  it.each(['1.5', 'abc', '10x', '1e3', '0x10', '+5', '--1'])('refuses %j as an integer, naming the variable', (v) => {
    const r = new ConfigReader({ N: v });
    expect(r.int('N', { default: 3 })).toBe(3);
    expect(problems(r)).toEqual([`N=${JSON.stringify(v)} is not an integer`]);
  });

  it('enforces min and max inclusively', () => {
    const r = new ConfigReader({ LO: '0', HI: '101', OK1: '1', OK2: '100' });
    expect(r.int('OK1', { min: 1, max: 100 })).toBe(1);
    expect(r.int('OK2', { min: 1, max: 100 })).toBe(100);
    r.int('LO', { min: 1, max: 100, default: 50 });
    r.int('HI', { min: 1, max: 100, default: 50 });
    expect(problems(r)).toEqual(['LO=0 is below the minimum 1', 'HI=101 is above the maximum 100']);
  });

  it('a required integer that is missing is a problem', () => {
    const r = new ConfigReader({});
    r.int('NEEDED');
    expect(problems(r)).toEqual(['NEEDED is required']);
  });
});

describe('ConfigReader.number', () => {
  it('parses finite numbers and refuses the rest', () => {
    const r = new ConfigReader({ A: '1.25', B: '-3e2', C: 'Infinity', D: 'NaN', E: 'x' });
    expect(r.number('A')).toBe(1.25);
    expect(r.number('B')).toBe(-300);
    r.number('C', { default: 1 });
    r.number('D', { default: 1 });
    r.number('E', { default: 1 });
    r.number('F', { min: 0, max: 1, default: 0.5 });
    expect(problems(r)).toEqual(['C="Infinity" is not a number', 'D="NaN" is not a number', 'E="x" is not a number']);
  });

  it('enforces bounds', () => {
    const r = new ConfigReader({ A: '0.5', B: '2' });
    r.number('A', { min: 1 });
    r.number('B', { max: 1.5 });
    expect(problems(r)).toEqual(['A=0.5 is below the minimum 1', 'B=2 is above the maximum 1.5']);
  });
});

describe('ConfigReader.bool', () => {
  it.each([
    ['1', true],
    ['true', true],
    ['TRUE', true],
    ['yes', true],
    ['On', true],
    [' true ', true],
    ['0', false],
    ['false', false],
    ['False', false],
    ['no', false],
    ['OFF', false],
  ])('reads %j as %s', (v, want) => {
    const r = new ConfigReader({ B: v });
    expect(r.bool('B', { default: !want })).toBe(want);
    expect(problems(r)).toEqual([]);
  });

  it('refuses other words and uses the default when unset', () => {
    const r = new ConfigReader({ B: 'maybe', E: '' });
    expect(r.bool('B', { default: true })).toBe(true);
    expect(r.bool('E', { default: true })).toBe(true);
    expect(r.bool('UNSET')).toBe(false);
    expect(problems(r)).toEqual(['B="maybe" is not a boolean (true/false)']);
  });
});

describe('ConfigReader.oneOf, list, string', () => {
  it('oneOf matches case-insensitively and refuses values outside the set', () => {
    const r = new ConfigReader({ L: 'DEBUG', M: 'verbose' });
    expect(r.oneOf('L', ['info', 'debug'] as const)).toBe('debug');
    expect(r.oneOf('M', ['info', 'debug'] as const, { default: 'info' })).toBe('info');
    expect(r.oneOf('UNSET', ['info', 'debug'] as const, { default: 'debug' })).toBe('debug');
    r.oneOf('REQ', ['a', 'b'] as const);
    expect(problems(r)).toEqual(['M="verbose" is not one of info|debug', 'REQ is required (one of a|b)']);
  });

  it('list splits on commas, trims, and drops empty entries', () => {
    const r = new ConfigReader({ L: ' a, b ,,c , ', ONE: 'x' });
    expect(r.list('L')).toEqual(['a', 'b', 'c']);
    expect(r.list('ONE')).toEqual(['x']);
    expect(r.list('UNSET', { default: ['d'] })).toEqual(['d']);
    r.list('REQ');
    expect(problems(r)).toEqual(['REQ is required (comma-separated)']);
  });

  it('string: value, default, required with help text; optionalString', () => {
    const r = new ConfigReader({ S: '  hello  ' });
    expect(r.string('S')).toBe('hello');
    expect(r.string('UNSET', { default: 'd' })).toBe('d');
    expect(r.optionalString('UNSET')).toBeUndefined();
    expect(r.optionalString('S')).toBe('hello');
    expect(r.string('REQ', { help: 'the venue to follow' })).toBe('');
    expect(problems(r)).toEqual(['REQ is required (the venue to follow)']);
  });
});

describe('aliases', () => {
  it('the primary name wins over an alias; an alias is used when the primary is unset or empty; problems name the alias used', () => {
    const r = new ConfigReader({ NEW: '1', OLD: '2', EMPTY_NEW: '', OLD2: '3', OLD3: 'x' });
    expect(r.int('NEW', { aliases: ['OLD'] })).toBe(1);
    expect(r.int('EMPTY_NEW', { aliases: ['OLD2'] })).toBe(3);
    expect(r.int('UNSET_NEW', { aliases: ['OLD2', 'OLD'] })).toBe(3);
    r.int('MISSING', { aliases: ['OLD3'] });
    expect(problems(r)).toEqual(['OLD3="x" is not an integer']);
  });
});

describe('ConfigReader.secret', () => {
  it('reads NAME', () => {
    const r = new ConfigReader({ PW: 'plain-secret' });
    expect(r.secret('PW')).toBe('plain-secret');
    expect(problems(r)).toEqual([]);
  });

  it('reads NAME_FILE, dropping one trailing newline (LF or CRLF) but nothing else', () => {
    const f1 = path.join(dir, 'pw1');
    const f2 = path.join(dir, 'pw2');
    const f3 = path.join(dir, 'pw3');
    writeFileSync(f1, 'from-file\n');
    writeFileSync(f2, 'crlf\r\n');
    writeFileSync(f3, ' spaced \n\n');
    const r = new ConfigReader({ A_FILE: f1, B_FILE: ` ${f2} `, C_FILE: f3 });
    expect(r.secret('A')).toBe('from-file');
    expect(r.secret('B')).toBe('crlf');
    expect(r.secret('C')).toBe(' spaced \n');
    expect(problems(r)).toEqual([]);
  });

  it('both NAME and NAME_FILE set is a problem, not a precedence rule', () => {
    const f = path.join(dir, 'both');
    writeFileSync(f, 'file-value');
    const r = new ConfigReader({ PW: 'plain', PW_FILE: f });
    expect(r.secret('PW')).toBeUndefined();
    expect(problems(r)).toEqual(['PW and PW_FILE are both set: use one']);
  });

  it('an unreadable file is a problem naming the variable, the path and the error code', () => {
    const missing = path.join(dir, 'does-not-exist');
    const r = new ConfigReader({ A_FILE: missing, B_FILE: dir });
    expect(r.secret('A')).toBeUndefined();
    expect(r.secret('B')).toBeUndefined();
    expect(problems(r)).toEqual([`A_FILE: cannot read ${missing} (ENOENT)`, `B_FILE: cannot read ${dir} (EISDIR)`]);
  });

  it('a required secret that is missing is a problem; an optional one is undefined', () => {
    const r = new ConfigReader({});
    expect(r.secret('OPT')).toBeUndefined();
    expect(r.secret('REQ', { required: true })).toBeUndefined();
    expect(problems(r)).toEqual(['REQ (or REQ_FILE) is required']);
  });

  it('aliases apply to both forms, and a plain alias with a file primary still counts as both', () => {
    const f = path.join(dir, 'alias');
    writeFileSync(f, 'aliased');
    const r = new ConfigReader({ OLD_PW_FILE: f, X_FILE: f, OLD_X: 'plain' });
    expect(r.secret('NEW_PW', { aliases: ['OLD_PW'] })).toBe('aliased');
    expect(r.secret('X', { aliases: ['OLD_X'] })).toBeUndefined();
    expect(problems(r)).toEqual(['OLD_X and X_FILE are both set: use one']);
  });
});

describe('done()', () => {
  it('lists every problem at once in one ConfigError', () => {
    const r = new ConfigReader({ PORT: 'eighty', LEVEL: 'loud', FLAG: 'perhaps', PW: 'x', PW_FILE: '/nonexistent' });
    r.int('PORT');
    r.oneOf('LEVEL', ['info'] as const);
    r.bool('FLAG');
    r.secret('PW');
    r.string('REQUIRED');
    r.problem('A and B are exclusive');
    let err: unknown;
    try {
      r.done();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.code).toBe('CONFIG_INVALID');
    expect(ce.name).toBe('ConfigError');
    expect(ce.problems).toEqual([
      'PORT="eighty" is not an integer',
      'LEVEL="loud" is not one of info',
      'FLAG="perhaps" is not a boolean (true/false)',
      'PW and PW_FILE are both set: use one',
      'REQUIRED is required',
      'A and B are exclusive',
    ]);
    for (const p of ce.problems) expect(ce.message).toContain(p);
    // done() does not clear: calling it again reports the same list.
    expect(() => r.done()).toThrow(ConfigError);
  });

  it('does not throw when nothing is wrong', () => {
    const r = new ConfigReader({ A: '1' });
    r.int('A');
    expect(() => r.done()).not.toThrow();
  });
});

describe('fromProcessEnv', () => {
  it('reads a snapshot of the process environment', () => {
    process.env['FEED_CONFIG_SPEC_PROBE'] = '17';
    try {
      const r = fromProcessEnv();
      process.env['FEED_CONFIG_SPEC_PROBE'] = '18';
      expect(r.int('FEED_CONFIG_SPEC_PROBE')).toBe(17);
    } finally {
      delete process.env['FEED_CONFIG_SPEC_PROBE'];
    }
  });
});
