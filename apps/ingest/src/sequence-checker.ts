/** A jump in a connection's message sequence: numbers after `after` and before `before` never arrived. */
export interface SequenceJump {
  after: number;
  before: number;
}

/**
 * Per-connection message sequence numbers (Coinbase `sequence_num`, counted over EVERY message of a connection,
 * heartbeats and subscription acks included: https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-overview).
 * It must see every frame, control frames too, before they are dropped. The first number on a connection sets the
 * baseline; a lower or equal number (a venue reset or a resend) moves the baseline without a claim; a jump is
 * reported. Connections are forgotten when closed (`forget`), and at most `maxConnections` are remembered.
 */
export class SequenceChecker {
  private readonly last = new Map<number, number>();

  constructor(private readonly maxConnections = 16) {}

  check(connId: number, seq: number): SequenceJump | undefined {
    const prev = this.last.get(connId);
    if (prev === undefined && this.last.size >= this.maxConnections) {
      const oldest = this.last.keys().next().value as number;
      this.last.delete(oldest);
    }
    this.last.set(connId, seq);
    if (prev === undefined || seq <= prev + 1) return undefined;
    return { after: prev, before: seq };
  }

  forget(connId: number): void {
    this.last.delete(connId);
  }
}
