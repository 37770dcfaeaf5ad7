/**
 * The user-rollup keys (scope, function, month, customer) this node has seen stored, so that
 * an ingest batch writes only keys that may be new — most records repeat a key of the same
 * month. Rows of the user rollups are deleted only by transactions that also bump the
 * rollups' epoch (merges, undos, rebuilds), and a batch reads the epoch after locking its
 * appliances; so keys learned under the epoch a batch read are still stored for it. A batch
 * that read another epoch writes all its keys.
 */
export class KnownUserKeys {
  private readonly keys = new Set<string>();
  private epoch = -1;

  constructor(private readonly max = 500_000) {}

  /** The entries whose keys may not be stored yet, for a batch that read `epoch`. */
  unknown<T>(epoch: number, entries: Map<string, T>): T[] {
    if (epoch > this.epoch) {
      this.keys.clear();
      this.epoch = epoch;
    }
    if (epoch !== this.epoch) return [...entries.values()];
    const out: T[] = [];
    for (const [k, v] of entries) if (!this.keys.has(k)) out.push(v);
    return out;
  }

  /** After a batch committed: its keys are stored. */
  learn(epoch: number, keys: Iterable<string>): void {
    if (epoch !== this.epoch) return;
    // A plain reset rather than an LRU: a new month's keys are relearned within a few batches.
    if (this.keys.size > this.max) this.keys.clear();
    for (const k of keys) this.keys.add(k);
  }
}
