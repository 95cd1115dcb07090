/** Strict validation of control API inputs: unknown fields, wrong types and out-of-range values are refused. */

export class BadRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequest';
  }
}

export type FieldSpec =
  | { readonly type: 'int'; readonly min: number; readonly max: number; readonly required?: boolean }
  | { readonly type: 'number'; readonly min: number; readonly max: number; readonly required?: boolean }
  | { readonly type: 'string'; readonly maxLength: number; readonly required?: boolean }
  | { readonly type: 'enum'; readonly values: readonly string[]; readonly required?: boolean };

export type Schema = Readonly<Record<string, FieldSpec>>;

function check(name: string, v: unknown, spec: FieldSpec): void {
  switch (spec.type) {
    case 'int':
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < spec.min || v > spec.max) throw new BadRequest(`${name} must be an integer in ${spec.min}..${spec.max}`);
      return;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v) || v < spec.min || v > spec.max) throw new BadRequest(`${name} must be a number in ${spec.min}..${spec.max}`);
      return;
    case 'string':
      if (typeof v !== 'string' || v.length > spec.maxLength) throw new BadRequest(`${name} must be a string of at most ${spec.maxLength} characters`);
      return;
    case 'enum':
      if (typeof v !== 'string' || !spec.values.includes(v)) throw new BadRequest(`${name} must be one of ${spec.values.join(', ')}`);
      return;
  }
}

/** Validate a parsed JSON body against a schema; returns it typed as a plain record. */
export function validateBody(body: unknown, schema: Schema): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('body must be a JSON object');
  const rec = body as Record<string, unknown>;
  for (const key of Object.keys(rec)) if (!(key in schema)) throw new BadRequest(`unknown field ${JSON.stringify(key)}`);
  for (const [key, spec] of Object.entries(schema)) {
    const v = rec[key];
    if (v === undefined) {
      if (spec.required) throw new BadRequest(`${key} is required`);
      continue;
    }
    check(key, v, spec);
  }
  return rec;
}

/** A query parameter as a non-negative integer within bounds, or the fallback when absent. */
export function queryInt(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw)) throw new BadRequest(`${name} must be an integer in ${min}..${max}`);
  const v = Number(raw);
  if (v < min || v > max) throw new BadRequest(`${name} must be an integer in ${min}..${max}`);
  return v;
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
}
