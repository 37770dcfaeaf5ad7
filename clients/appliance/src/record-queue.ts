import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ApplianceRecord } from './protocol.js';

/** What the appliance remembers across restarts besides the queue. */
export interface DeviceMemory {
  /** The highest seq ever used: seq numbers never repeat, even after a restart. */
  lastSeq: number;
  /** The card the server acknowledged, and the customer it belongs to. */
  registered: { cardNumber: string; customerNumber: string; seq: number } | null;
  /** A first-use record sent and not yet answered. */
  pendingFirstUse: { seq: number; cardNumber: string } | null;
}

/**
 * The offline queue: every record is written here before it is sent and removed only once
 * the server acknowledged it, so records survive power cuts and network outages and go out
 * in seq order when the network is back.
 */
export interface RecordQueue {
  load(): Promise<DeviceMemory>;
  /** Assigns the next seq, stores the record, returns it. */
  add(build: (seq: number) => ApplianceRecord): Promise<ApplianceRecord>;
  /** Records not yet acknowledged, oldest first. */
  pending(): ApplianceRecord[];
  acknowledge(seq: number): Promise<void>;
  remember(memory: Partial<DeviceMemory>): Promise<void>;
  memory(): DeviceMemory;
  close(): Promise<void>;
}

const EMPTY: DeviceMemory = { lastSeq: 0, registered: null, pendingFirstUse: null };

/** For simulations and tests: nothing survives the process. */
export class MemoryRecordQueue implements RecordQueue {
  private readonly records = new Map<number, ApplianceRecord>();
  private mem: DeviceMemory = { ...EMPTY };

  async load(): Promise<DeviceMemory> {
    return this.mem;
  }
  async add(build: (seq: number) => ApplianceRecord): Promise<ApplianceRecord> {
    const record = build(++this.mem.lastSeq);
    this.records.set(record.seq, record);
    return record;
  }
  pending(): ApplianceRecord[] {
    return [...this.records.values()];
  }
  async acknowledge(seq: number): Promise<void> {
    this.records.delete(seq);
  }
  async remember(memory: Partial<DeviceMemory>): Promise<void> {
    this.mem = { ...this.mem, ...memory };
  }
  memory(): DeviceMemory {
    return this.mem;
  }
  async close(): Promise<void> {}
}

/**
 * A queue in a directory: `queue.log` is append-only (one JSON line per added or acknowledged
 * record) and is compacted when it holds many acknowledged records; `device.json` holds the
 * memory, replaced atomically (write, then rename). With `sync` every write is flushed to the
 * storage before it counts (slower; what firmware on flash wants).
 */
export class FileRecordQueue implements RecordQueue {
  private readonly records = new Map<number, ApplianceRecord>();
  private mem: DeviceMemory = { ...EMPTY };
  private log: FileHandle | null = null;
  private acknowledged = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly options: { sync?: boolean; compactAfter?: number } = {},
  ) {}

  private get logFile() {
    return path.join(this.dir, 'queue.log');
  }
  private get memoryFile() {
    return path.join(this.dir, 'device.json');
  }

  async load(): Promise<DeviceMemory> {
    await mkdir(this.dir, { recursive: true });
    try {
      this.mem = { ...EMPTY, ...(JSON.parse(await readFile(this.memoryFile, 'utf8')) as Partial<DeviceMemory>) };
    } catch {
      this.mem = { ...EMPTY };
    }
    let text = '';
    try {
      text = await readFile(this.logFile, 'utf8');
    } catch {
      /* no queue yet */
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let entry: { add?: ApplianceRecord; ack?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // a line cut short by a power cut: the record was never acknowledged as queued
      }
      if (entry.add) {
        this.records.set(entry.add.seq, entry.add);
        this.mem.lastSeq = Math.max(this.mem.lastSeq, entry.add.seq);
      } else if (entry.ack !== undefined) {
        this.records.delete(entry.ack);
        this.acknowledged++;
      }
    }
    this.log = await open(this.logFile, 'a');
    return this.mem;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async append(entry: object): Promise<void> {
    if (!this.log) throw new Error('queue not loaded');
    await this.log.write(`${JSON.stringify(entry)}\n`);
    if (this.options.sync) await this.log.datasync();
  }

  add(build: (seq: number) => ApplianceRecord): Promise<ApplianceRecord> {
    return this.serial(async () => {
      const record = build(this.mem.lastSeq + 1);
      await this.append({ add: record });
      this.mem.lastSeq = record.seq;
      this.records.set(record.seq, record);
      return record;
    });
  }

  pending(): ApplianceRecord[] {
    return [...this.records.values()].sort((a, b) => a.seq - b.seq);
  }

  acknowledge(seq: number): Promise<void> {
    return this.serial(async () => {
      if (!this.records.delete(seq)) return;
      await this.append({ ack: seq });
      if (++this.acknowledged >= (this.options.compactAfter ?? 1000)) await this.compact();
    });
  }

  /** Rewrites the log with the unacknowledged records only. */
  private async compact(): Promise<void> {
    await this.saveMemory();
    const tmp = `${this.logFile}.tmp`;
    await writeFile(tmp, this.pending().map((r) => `${JSON.stringify({ add: r })}\n`).join(''));
    await this.log?.close();
    await rename(tmp, this.logFile);
    this.log = await open(this.logFile, 'a');
    this.acknowledged = 0;
  }

  private async saveMemory(): Promise<void> {
    const tmp = `${this.memoryFile}.tmp`;
    await writeFile(tmp, JSON.stringify(this.mem));
    if (this.options.sync) {
      const h = await open(tmp, 'r+');
      await h.datasync();
      await h.close();
    }
    await rename(tmp, this.memoryFile);
  }

  remember(memory: Partial<DeviceMemory>): Promise<void> {
    return this.serial(async () => {
      this.mem = { ...this.mem, ...memory };
      await this.saveMemory();
    });
  }

  memory(): DeviceMemory {
    return this.mem;
  }

  close(): Promise<void> {
    return this.serial(async () => {
      await this.log?.close();
      this.log = null;
    });
  }
}
