/**
 * Seeded pseudo-random numbers (mulberry32): fast, 32-bit state, good enough for a market simulation and
 * fully reproducible from the seed. Not for anything security related.
 */
export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the text, mixed with the seed: each (venue, symbol) gets its own independent stream. */
export function deriveSeed(seed: number, ...parts: string[]): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      h ^= part.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    h ^= 0x2f; // separator, so ("ab","c") differs from ("a","bc")
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
