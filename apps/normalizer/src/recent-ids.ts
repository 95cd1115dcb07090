/**
 * A bounded memory of recently published event ids per stream, so venue resends and overlapping ingest
 * replicas are dropped here and the MD log stays free of duplicates even outside JetStream's duplicate window.
 * It is an optimisation, not the guarantee: the persister's durable dedupe (decision 2) is authoritative, and a
 * restarted normalizer starts with an empty memory.
 */
export class RecentIds {
  private readonly streams = new Map<string, { set: Set<string>; ring: string[]; next: number }>();

  constructor(private readonly perStream: number) {}

  has(stream: string, id: string): boolean {
    return this.streams.get(stream)?.set.has(id) ?? false;
  }

  add(stream: string, id: string): void {
    let s = this.streams.get(stream);
    if (!s) {
      s = { set: new Set(), ring: new Array<string>(this.perStream), next: 0 };
      this.streams.set(stream, s);
    }
    if (s.set.has(id)) return;
    const evicted = s.ring[s.next];
    if (evicted !== undefined) s.set.delete(evicted);
    s.ring[s.next] = id;
    s.next = (s.next + 1) % this.perStream;
    s.set.add(id);
  }

  size(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.set.size;
    return n;
  }
}
