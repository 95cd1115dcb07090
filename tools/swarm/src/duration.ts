/** Compose/Go durations ("10s", "1m15s", "500ms", "2h") to milliseconds; NaN when not a duration. */
export function durationMs(v: unknown): number {
  if (typeof v === 'number') return v / 1e6; // compose accepts nanoseconds as a bare number
  if (typeof v !== 'string' || !/^(\d+(\.\d+)?(h|m|s|ms|us|ns))+$/.test(v)) return Number.NaN;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };
  let ms = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g)) ms += Number(m[1]) * (unit[m[2] as string] as number);
  return ms;
}
