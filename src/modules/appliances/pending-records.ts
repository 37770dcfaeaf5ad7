/**
 * Records waiting for an ingest batch, queued per appliance. With an external broker tens of
 * thousands of records can wait here (the consumer's receive maximum), so taking a batch must
 * not walk all of them: it visits appliances in the order their queues started, skips the
 * ones whose records are being written, and moves whole queues until the batch is full.
 */
export class PendingRecords<T extends { mfg: string; receivedAt: Date }> {
  private readonly queues = new Map<string, T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    const queue = this.queues.get(item.mfg);
    if (queue) queue.push(item);
    else this.queues.set(item.mfg, [item]);
    this.count++;
  }

  /** When the longest-waiting queue started (about the oldest record; exact when no queue was split). */
  oldestReceivedAt(): number | null {
    for (const queue of this.queues.values()) return queue[0]!.receivedAt.getTime();
    return null;
  }

  /** Up to `max` records of appliances not in `busy`, each appliance's in arrival order. */
  take(max: number, busy: ReadonlySet<string>): T[] {
    const batch: T[] = [];
    for (const [mfg, queue] of this.queues) {
      if (batch.length >= max) break;
      if (busy.has(mfg)) continue;
      const room = max - batch.length;
      if (queue.length <= room) {
        for (const item of queue) batch.push(item);
        this.queues.delete(mfg);
      } else {
        for (const item of queue.splice(0, room)) batch.push(item);
      }
    }
    this.count -= batch.length;
    return batch;
  }
}
