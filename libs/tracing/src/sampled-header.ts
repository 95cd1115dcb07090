import type { HeaderCarrier } from './propagation';

/** Length of a version-00 traceparent: `00-<32 hex>-<16 hex>-<2 hex>`. */
const TRACEPARENT_LEN = 55;

/**
 * True when the message carries a traceparent whose sampled flag is set, read straight from the header text:
 * the per-message check on every consume path, so that an unsampled (or untraced) message costs one header
 * lookup and no context, span or link objects. A sampled-looking header is then fully validated by extractTrace.
 */
export function sampledTraceparent(h: HeaderCarrier | undefined): boolean {
  if (!h) return false;
  const tp = h.get('traceparent'); // nats.js returns '' for a missing header
  if (tp.length < TRACEPARENT_LEN) return false;
  // The flags' low nibble is the 55th character; the sampled bit is its lowest bit.
  const c = tp.charCodeAt(TRACEPARENT_LEN - 1);
  const nibble = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : 0;
  return (nibble & 1) === 1;
}
