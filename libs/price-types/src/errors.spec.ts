import { ValidationError, type ValidationCode } from './errors';

describe('ValidationError', () => {
  it('carries a stable code, the offending field and a readable message', () => {
    const e = new ValidationError('bad_decimal', 'price', 'not a decimal: "abc"');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.name).toBe('ValidationError');
    expect(e.code).toBe('bad_decimal');
    expect(e.field).toBe('price');
    expect(e.message).toBe('price: not a decimal: "abc"');
    expect(typeof e.stack).toBe('string');
  });

  it('is catchable and distinguishable from other errors', () => {
    const thrower = (): never => {
      throw new ValidationError('missing_field', 'size', 'is required');
    };
    let caught: unknown;
    try {
      thrower();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(new TypeError('x')).not.toBeInstanceOf(ValidationError);
  });

  it('accepts every documented code (they become metric labels; the list is part of the contract)', () => {
    const codes: ValidationCode[] = [
      'not_object',
      'missing_field',
      'wrong_type',
      'bad_decimal',
      'not_positive',
      'out_of_range',
      'bad_time',
      'future_time',
      'bad_symbol',
      'bad_venue',
      'bad_id',
      'bad_enum',
      'bad_json',
      'crossed_quote',
      'bad_trace_id',
    ];
    for (const c of codes) {
      const e = new ValidationError(c, 'f', 'd');
      expect(e.code).toBe(c);
      // Metric label values must be plain snake_case tokens.
      expect(e.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
    expect(new Set(codes).size).toBe(codes.length);
  });
});
