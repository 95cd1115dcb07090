import { canonicalUnits, fixedText } from '../decimal-text';

/** Small text helpers shared by the venue protocols: exact decimals, venue time formats, JSON requests. */

/** Canonical decimal text of units (no trailing zeros): "67234.1", "0.0012". */
export const canon = canonicalUnits;

/** Fixed decimals, trailing zeros kept: fixed(6723410, 2, 5) === "67234.10000". */
export function fixed(units: number, decimals: number, wireDecimals: number): string {
  return fixedText(units, decimals, Math.max(decimals, wireDecimals));
}

/** RFC 3339 / ISO-8601 UTC with milliseconds: "2023-09-25T07:49:37.708Z". */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** RFC 3339 UTC with microseconds: "2023-09-25T07:49:37.708000Z" (Kraken v2). */
export function isoMicros(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000Z`;
}

/** Epoch microseconds as decimal text (Bitstamp microtimestamp). */
export function micros(ms: number): string {
  return `${ms}000`;
}

/** A client message parsed as a JSON object, or null when it is not one. */
export function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A request id echoed as JSON text: integers digit for digit from the client's own text, short strings quoted. */
export function echoId(text: string, field: string, v: unknown): string | null {
  if (typeof v === 'string' && v.length <= 64) return JSON.stringify(v);
  if (typeof v === 'number' && Number.isInteger(v)) {
    const m = new RegExp(`"${field}"\\s*:\\s*(-?\\d{1,19})\\s*[,}]`).exec(text);
    return m ? (m[1] as string) : String(v);
  }
  return null;
}

/** A list of short strings, or null. */
export function stringList(v: unknown, max = 1024): string[] | null {
  if (!Array.isArray(v) || v.length === 0 || v.length > max) return null;
  return v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 64) ? (v as string[]) : null;
}

/** A positive integer query parameter bounded by max, the fallback when absent, or null when invalid. */
export function limitParam(q: URLSearchParams, name: string, fallback: number, max: number): number | null {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (!/^\d{1,6}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= max ? n : null;
}

/** A deterministic connection id text derived from the simulator's connection number. */
export function connIdText(id: number | undefined, width = 12): string {
  return (id ?? 0).toString(16).padStart(width, '0');
}
