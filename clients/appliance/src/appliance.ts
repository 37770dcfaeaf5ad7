import { EventEmitter } from 'node:events';
import type { HomeNetwork } from './home-network.js';
import { canonicalCardNumber, functionInfo, MAX_DURATION_SEC, type ApplianceRecord, type FunctionCodeList, type IcCard, type RecordError, type ServerState } from './protocol.js';
import { MemoryRecordQueue, type RecordQueue } from './record-queue.js';
import type { Transport } from './transport.js';

/**
 * unregistered: no card was acknowledged yet — locked (basic functions only).
 * registering: a first-use record is on its way — still locked until the server answers.
 * registered: usable; usage records go out (or wait in the queue while offline).
 */
export type DeviceState = 'unregistered' | 'registering' | 'registered';

export class LockedError extends Error {
  constructor(functionCode: string) {
    super(`The appliance is locked until its card is registered; ${functionCode} is not a basic function`);
    this.name = 'LockedError';
  }
}

export interface ApplianceOptions {
  manufacturingNumber: string;
  functions: FunctionCodeList;
  transport: Transport;
  /** Where records wait until acknowledged (default: memory only; use FileRecordQueue on a device). */
  queue?: RecordQueue;
  /** Other appliances of the home share the card info through it. */
  home?: HomeNetwork;
  /** The appliance's clock (simulations run it faster). */
  now?: () => Date;
}

export interface UseOptions {
  /** e.g. { code: 'W', value: 5 } for a 5 kg load. */
  additional?: { code: string; value: number };
  durationSec?: number;
}

/** A use reported periodically while it runs (FIG. 11): stop() reports the rest. */
export interface RunningUse {
  stop(): Promise<void>;
}

/**
 * The appliance side of Clientele: reads the IC card, sends the first-use record and stays
 * locked (or basic functions only) until the server acknowledges it, sends usage records
 * per button press or periodically while in use, registers a new customer when a
 * different card is read, and keeps every record in its queue until acknowledged.
 *
 * Events: 'state' (DeviceState), 'registered' ({customerNumber}), 'record-error' (RecordError), 'online' (boolean).
 */
export class Appliance extends EventEmitter {
  readonly manufacturingNumber: string;
  private readonly queue: RecordQueue;
  private readonly transport: Transport;
  private readonly functions: FunctionCodeList;
  private readonly basic: Set<string>;
  private readonly now: () => Date;
  private current: DeviceState = 'unregistered';
  private pendingCard: IcCard | null = null;
  private customer: string | null = null;
  private sending = false;
  private again = false;
  private started = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ApplianceOptions) {
    super();
    this.manufacturingNumber = options.manufacturingNumber;
    this.queue = options.queue ?? new MemoryRecordQueue();
    this.transport = options.transport;
    this.functions = options.functions;
    this.basic = new Set(options.functions.functions.filter((f) => f.basic).map((f) => f.code));
    this.now = options.now ?? (() => new Date());
  }

  get state(): DeviceState {
    return this.current;
  }

  get locked(): boolean {
    return this.current !== 'registered';
  }

  get customerNumber(): string | null {
    return this.customer;
  }

  /** Records not yet acknowledged by the server. */
  get queued(): number {
    return this.queue.pending().length;
  }

  canUse(functionCode: string): boolean {
    return !this.locked || this.basic.has(functionCode);
  }

  async start(): Promise<void> {
    const memory = await this.queue.load();
    if (memory.registered) {
      this.customer = memory.registered.customerNumber;
      this.setState('registered');
    }
    if (memory.pendingFirstUse) this.setState('registering');
    this.started = true;
    await this.transport.start({
      state: (s) => void this.onServerState(s),
      error: (e) => void this.onRecordError(e),
      online: (online) => {
        this.emit('online', online);
        if (online) this.flush();
      },
    });
    this.flush();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.transport.stop();
    await this.queue.close();
  }

  /**
   * A card in the reader. The first card — or a card other than the registered one — sends
   * a first-use record; the same card again changes nothing.
   */
  async readCard(card: IcCard, sharedFrom?: string): Promise<void> {
    const number = canonicalCardNumber(card.number);
    const memory = this.queue.memory();
    if (memory.pendingFirstUse?.cardNumber === number) return;
    if (!memory.pendingFirstUse && memory.registered?.cardNumber === number) return;
    this.pendingCard = { ...card, number };
    const record = await this.queue.add((seq) => ({
      type: 'first-use',
      seq,
      at: this.now().toISOString(),
      card: {
        number,
        ...(card.name ? { name: card.name } : {}),
        ...(card.address ? { address: card.address } : {}),
        ...(card.account ? { account: card.account } : {}),
        ...(sharedFrom ? { sharedFrom } : {}),
      },
    }));
    await this.queue.remember({ pendingFirstUse: { seq: record.seq, cardNumber: number } });
    this.setState('registering');
    this.options.home?.announce(this.manufacturingNumber, { ...card, number });
    this.flush();
  }

  /** Takes the card info another appliance of the home read, so this one needs no card. Returns false when there is none. */
  async takeCardFromHome(): Promise<boolean> {
    const shared = this.options.home?.lookup(this.manufacturingNumber);
    if (!shared) return false;
    await this.readCard(shared.card, shared.from);
    return true;
  }

  /** A button press: one usage record. Throws LockedError while locked, except for basic functions. */
  async use(functionCode: string, options: UseOptions = {}): Promise<ApplianceRecord> {
    if (!this.canUse(functionCode)) throw new LockedError(functionCode);
    const fn = functionInfo(this.functions, functionCode, options.additional);
    const d = options.durationSec;
    // Refused here rather than queued: the server would refuse the record, and it would be lost.
    if (d !== undefined && !(Number.isFinite(d) && d >= 0 && Math.round(d) <= MAX_DURATION_SEC)) {
      throw new RangeError(`durationSec must be 0–${MAX_DURATION_SEC} seconds; report longer uses with startUse()`);
    }
    const record = await this.queue.add((seq) => ({
      type: 'usage',
      seq,
      at: this.now().toISOString(),
      function: fn,
      ...(options.durationSec !== undefined ? { durationSec: Math.max(0, Math.round(options.durationSec)) } : {}),
    }));
    this.flush();
    return record;
  }

  /**
   * A use reported every `intervalSec` while it runs (FIG. 11): the first report starts the
   * use, the following ones add their time to it ("continued").
   */
  startUse(functionCode: string, options: { additional?: { code: string; value: number }; intervalSec: number }): RunningUse {
    if (!this.canUse(functionCode)) throw new LockedError(functionCode);
    const fn = functionInfo(this.functions, functionCode, options.additional);
    let last = this.now().getTime();
    let first = true;
    let chain = Promise.resolve();
    const report = () => {
      const at = this.now();
      const seconds = Math.round((at.getTime() - last) / 1000);
      last = at.getTime();
      const continued = !first;
      first = false;
      chain = chain.then(async () => {
        await this.queue.add((seq) => ({ type: 'usage', seq, at: at.toISOString(), function: fn, durationSec: seconds, ...(continued ? { continued: true } : {}) }));
        this.flush();
      });
    };
    const timer = setInterval(report, options.intervalSec * 1000);
    return {
      stop: async () => {
        clearInterval(timer);
        report();
        await chain;
      },
    };
  }

  private setState(s: DeviceState): void {
    if (s === this.current) return;
    this.current = s;
    this.emit('state', s);
  }

  private async onServerState(s: ServerState): Promise<void> {
    const memory = this.queue.memory();
    if (s.state === 'registered') {
      const pending = memory.pendingFirstUse;
      if (pending) {
        // An answer to our first-use record (not an older retained state).
        if (s.seq === undefined || s.seq < pending.seq) return;
        await this.queue.remember({ registered: { cardNumber: pending.cardNumber, customerNumber: s.customerNumber, seq: s.seq }, pendingFirstUse: null });
        this.pendingCard = null;
      } else if (memory.registered) {
        await this.queue.remember({ registered: { ...memory.registered, customerNumber: s.customerNumber } });
      } else {
        return; // registered to a card this appliance does not know: wait for a card
      }
      this.customer = s.customerNumber;
      this.setState('registered');
      this.emit('registered', { customerNumber: s.customerNumber });
    } else if (!memory.pendingFirstUse && memory.registered) {
      // The server ended the registration (e.g. the customer's data was erased): ask for a card again.
      await this.queue.remember({ registered: null });
      this.customer = null;
      this.setState('unregistered');
    }
  }

  private async onRecordError(e: RecordError): Promise<void> {
    const pending = this.queue.memory().pendingFirstUse;
    if (e.code === 'stale_first_use' && pending && e.seq === pending.seq && this.pendingCard) {
      // The server saw later records first: send the first-use record again with a new seq.
      const card = this.pendingCard;
      await this.queue.remember({ pendingFirstUse: null });
      await this.readCard(card);
      return;
    }
    this.emit('record-error', e);
  }

  /** Sends queued records in seq order, a window at a time, until the queue is empty or the network is gone. */
  private flush(): void {
    if (!this.started) return;
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    void (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const batch = this.queue.pending().slice(0, this.transport.window);
            if (batch.length === 0 || !this.transport.online) break;
            const results = await this.transport.send(batch);
            for (let i = 0; i < batch.length; i++) {
              const r = results[i]!;
              if (!r.ok) await this.onRecordError(r.error);
              await this.queue.acknowledge(batch[i]!.seq);
            }
          }
        } while (this.again && this.transport.online);
      } catch {
        // Offline or the server could not store them: they stay queued; try again shortly.
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = null;
          this.flush();
        }, 2000);
        this.retryTimer.unref?.();
      } finally {
        this.sending = false;
        if (this.queue.pending().length === 0) this.emit('drained');
      }
    })();
  }
}
