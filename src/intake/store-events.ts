/** The events an intake keeps, oldest first, with their total weight. */
export class EventLog {
  private list: { event: Record<string, unknown>; bytes: number }[] = [];
  /** Total weight of the events held. */
  bytes = 0;

  get length(): number {
    return this.list.length;
  }

  /** Appends an event of `weight` bytes; returns the weight. */
  push(event: Record<string, unknown>, weight: number): number {
    this.list.push({ event, bytes: weight });
    this.bytes += weight;
    return weight;
  }

  /** Drops the oldest event; returns the weight freed. */
  shift(): number {
    const dropped = this.list.shift();
    if (dropped === undefined) return 0;
    this.bytes -= dropped.bytes;
    return dropped.bytes;
  }

  all(): Record<string, unknown>[] {
    return this.list.map((e) => e.event);
  }

  clear(): void {
    this.list = [];
    this.bytes = 0;
  }
}
