/**
 * Why an input was refused. Codes are stable: they become metric label values and dead-letter reasons,
 * so renaming one is a breaking change for dashboards and alerts.
 */
export type ValidationCode =
  | 'not_object'
  | 'missing_field'
  | 'wrong_type'
  | 'bad_decimal'
  | 'not_positive'
  | 'out_of_range'
  | 'bad_time'
  | 'future_time'
  | 'bad_symbol'
  | 'bad_venue'
  | 'bad_id'
  | 'bad_enum'
  | 'bad_json'
  | 'crossed_quote'
  | 'bad_trace_id';

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly code: ValidationCode,
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}
