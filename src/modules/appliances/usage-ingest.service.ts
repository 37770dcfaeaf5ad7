import { sql } from 'kysely';
import type { FastifyBaseLogger } from 'fastify';
import type { Db, Tx } from '../../platform/db/database.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { Actor } from '../../platform/auth/principal.js';
import type { CustomersService } from '../customers/index.js';
import {
  canonicalNumber,
  decodePayload,
  parseRecord,
  RecordProblem,
  seqOf,
  type ApplianceRecord,
  type CardInfo,
  type FirstUseRecord,
  type RecordError,
  type UsageRecord,
} from './appliance-record.js';
import { billableMinutes, billMonthFor, durationBucket, hourAndWeekday, monthOf, type Month } from './appliance-time.js';
import { splitPrefecture } from './areas.js';
import type { CatalogEntry, CatalogService } from './catalog.service.js';
import { registrationsRepository as regRepo, type ApplianceRow, type ApplianceStateUpdate, type RegistrationRow } from './registrations.repository.js';
import { usageRepository as usageRepo, type DurationDelta, type FunctionDelta, type RecordRow, type TimeDelta, type UsageDelta } from './usage.repository.js';
import { scopesOf, userRollupsRepository as userRepo, type UserMonthKey } from './user-rollups.repository.js';
import { KnownUserKeys } from './known-user-keys.js';
import { PendingRecords } from './pending-records.js';

export type IngestStatus = 'stored' | 'duplicate' | 'rejected' | 'failed';

export interface IngestOutcome {
  seq: number | null;
  status: IngestStatus;
  error?: RecordError;
}

/** What the server tells an appliance on `…/state` (retained). */
export type ApplianceState = { state: 'locked' } | { state: 'registered'; customerNumber: string; seq: number };

export interface IngestObserver {
  /** An appliance's state changed or was asked for again (a repeated first-use record). */
  state?(mfg: string, state: ApplianceState): void;
  /** A record was refused; it is not stored. */
  error?(mfg: string, error: RecordError): void;
  /** A batch committed: how many records, and each stored usage record's `at` (ms). */
  committed?(info: { stored: number; recordTimes: number[]; committedAt: number }): void;
}

export interface IngestOptions {
  /** Records per transaction at most. */
  maxBatch: number;
  /** How long the first record of a batch waits for more. */
  maxWaitMs: number;
  /** Batches written at once (the next one collects while one commits). */
  maxInFlight: number;
}

/** Advisory lock key: ingest batches hold it shared; closing a month and recalculating hold it exclusively. */
export const ROLLUP_LOCK_KEY = 0x4150504c; // 'APPL'
export const JOB_SYNC_IDENTIFIER = 'appliances.sync-identifier';

interface Pending {
  mfg: string;
  payload: unknown;
  receivedAt: Date;
  resolve(outcome: IngestOutcome): void;
}

interface Parsed {
  item: Pending;
  rec: ApplianceRecord;
}

interface DeviceState {
  appliance: ApplianceRow;
  regs: RegistrationRow[];
  open: RegistrationRow | null;
  lastSeq: number;
  lastSeen: Date | null;
  openUse: { seq: number; fn: string; sec: number; month: Month } | null;
  touched: boolean;
}

interface BatchResult {
  outcomes: Map<Pending, IngestOutcome>;
  states: Map<string, ApplianceState>;
  recordTimes: number[];
  stored: number;
  /** The user-rollup keys the batch's records have, and the epoch it read (KnownUserKeys). */
  userKeys: string[];
  usersEpoch: number;
}

const RETRYABLE = new Set(['40P01', '40001']);
const key = (mfg: string, seq: number) => `${mfg}\u0000${seq}`;

/** Sums deltas by key so each rollup row is written once per batch. */
class Deltas<T extends { uses: number }> {
  readonly rows = new Map<string, T>();
  add(k: string, row: T, merge: (into: T, from: T) => void): void {
    const have = this.rows.get(k);
    if (have) merge(have, row);
    else this.rows.set(k, row);
  }
  /** In key order, so concurrent batches lock shared rows in the same order. */
  sorted(): T[] {
    return [...this.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  }
}

function registrationCovering(regs: RegistrationRow[], seq: number): RegistrationRow | null {
  for (let i = regs.length - 1; i >= 0; i--) {
    const r = regs[i]!;
    if (seq >= r.first_seq && (r.end_seq === null || seq < r.end_seq)) return r;
  }
  return null;
}

/**
 * The ingest path for appliance records, shared by the MQTT brokers and the HTTP route:
 * validate → batch (up to `maxBatch` records or `maxWaitMs`) → one transaction per batch that
 * inserts the raw records with one `INSERT … SELECT unnest … ON CONFLICT DO NOTHING`, updates
 * the rollups with one upsert per rollup and the appliances' state with one update → commit →
 * only then each submitter's promise resolves (and brokers send PUBACK) and state changes and
 * errors go out to the appliances.
 *
 * Records of one appliance are never in two batches in flight at once, and the appliances'
 * rows are locked in a fixed order, so records of an appliance are applied in seq order even
 * with several nodes.
 */
export class UsageIngestService {
  private readonly pending = new PendingRecords<Pending>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly busy = new Set<string>();
  private readonly knownUsers = new KnownUserKeys();
  private readonly observers = new Set<IngestObserver>();
  private idle: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
    private readonly customers: CustomersService,
    private readonly jobs: JobQueue,
    private readonly options: IngestOptions = { maxBatch: 1000, maxWaitMs: 50, maxInFlight: 2 },
    private readonly logger?: FastifyBaseLogger,
  ) {}

  observe(observer: IngestObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /**
   * One record of an appliance (JSON bytes from MQTT, or an already parsed value). Resolves
   * once the record is durably stored (or known to be a duplicate, or refused).
   */
  submit(manufacturingNumber: string, payload: unknown): Promise<IngestOutcome> {
    const mfg = canonicalNumber(manufacturingNumber);
    let value = payload;
    if (Buffer.isBuffer(payload) || typeof payload === 'string') {
      try {
        value = decodePayload(payload);
      } catch (err) {
        const error: RecordError = { seq: null, code: 'invalid_json', message: (err as Error).message };
        this.emitError(mfg, error);
        return Promise.resolve({ seq: null, status: 'rejected', error });
      }
    }
    return new Promise((resolve) => {
      this.pending.push({ mfg, payload: value, receivedAt: new Date(), resolve });
      this.schedule();
    });
  }

  /** Several records of one appliance, in the order given (the HTTP route). */
  submitMany(manufacturingNumber: string, payloads: unknown[]): Promise<IngestOutcome[]> {
    return Promise.all(payloads.map((p) => this.submit(manufacturingNumber, p)));
  }

  /** Resolves when nothing is pending or being written (tests, orderly stop). */
  drain(): Promise<void> {
    if (this.pending.size === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  // ---- batching ----

  private schedule(): void {
    while (this.inFlight < this.options.maxInFlight && this.pending.size > 0) {
      const oldest = this.pending.oldestReceivedAt()!;
      const due = this.pending.size >= this.options.maxBatch || Date.now() - oldest >= this.options.maxWaitMs;
      if (!due) {
        this.timer ??= setTimeout(() => {
          this.timer = null;
          this.schedule();
        }, Math.max(1, this.options.maxWaitMs - (Date.now() - oldest)));
        return;
      }
      const batch = this.pending.take(this.options.maxBatch, this.busy);
      if (batch.length === 0) return; // everything pending belongs to appliances being written now
      this.inFlight++;
      for (const p of batch) this.busy.add(p.mfg);
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        for (const p of batch) this.busy.delete(p.mfg);
        this.schedule();
        if (this.pending.size === 0 && this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  private async runBatch(items: Pending[]): Promise<void> {
    const outcomes = new Map<Pending, IngestOutcome>();
    const groups = new Map<string, Parsed[]>();
    const now = Date.now();
    for (const item of items) {
      try {
        const rec = parseRecord(item.payload, now);
        let group = groups.get(item.mfg);
        if (!group) groups.set(item.mfg, (group = []));
        group.push({ item, rec });
      } catch (err) {
        if (!(err instanceof RecordProblem)) throw err;
        outcomes.set(item, { seq: seqOf(item.payload), status: 'rejected', error: this.problem(seqOf(item.payload), err) });
      }
    }
    for (const group of groups.values()) group.sort((a, b) => a.rec.seq - b.rec.seq);

    const results: BatchResult[] = [];
    if (groups.size > 0) {
      try {
        results.push(await this.withRetry(groups));
      } catch (err) {
        // Find the appliance whose records fail; the others' records still go in.
        this.logger?.warn({ err }, 'appliance batch failed; retrying appliance by appliance');
        for (const [mfg, group] of groups) {
          try {
            results.push(await this.withRetry(new Map([[mfg, group]])));
          } catch (e) {
            this.logger?.error({ err: e, manufacturingNumber: mfg }, 'appliance records could not be stored');
            for (const { item, rec } of group) outcomes.set(item, { seq: rec.seq, status: 'failed' });
          }
        }
      }
    }

    const committedAt = Date.now();
    for (const r of results) {
      this.knownUsers.learn(r.usersEpoch, r.userKeys);
      for (const [item, outcome] of r.outcomes) outcomes.set(item, outcome);
      for (const o of this.observers) o.committed?.({ stored: r.stored, recordTimes: r.recordTimes, committedAt });
      for (const [mfg, state] of r.states) for (const o of this.observers) o.state?.(mfg, state);
    }
    for (const item of items) {
      const outcome = outcomes.get(item) ?? { seq: seqOf(item.payload), status: 'failed' as const };
      if (outcome.error) this.emitError(item.mfg, outcome.error);
      item.resolve(outcome);
    }
  }

  private problem(seq: number | null, err: RecordProblem): RecordError {
    return { seq, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  }

  private emitError(mfg: string, error: RecordError): void {
    for (const o of this.observers) o.error?.(mfg, error);
  }

  private async withRetry(groups: Map<string, Parsed[]>): Promise<BatchResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute((tx) => this.apply(tx, groups));
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= 5 || !code || !RETRYABLE.has(code)) throw err;
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      }
    }
  }

  // ---- one transaction ----

  private async apply(tx: Tx, groups: Map<string, Parsed[]>): Promise<BatchResult> {
    await sql`select pg_advisory_xact_lock_shared(${ROLLUP_LOCK_KEY})`.execute(tx);
    const mfgs = [...groups.keys()];
    const appliances = new Map((await regRepo.lockAppliances(tx, mfgs)).map((a) => [a.manufacturing_number, a]));
    const known = mfgs.filter((m) => appliances.has(m));
    const [regs, existing, closedRows, catalog, usersEpoch] = await Promise.all([
      regRepo.registrationsOf(tx, known),
      // Only a seq at or below the appliance's last stored one can be stored already (a resend).
      usageRepo.existingSeqs(
        tx,
        known.flatMap((mfg) => {
          const last = appliances.get(mfg)!.last_seq;
          return groups.get(mfg)!.flatMap((p) => (p.rec.seq <= last ? [{ mfg, seq: p.rec.seq }] : []));
        }),
      ),
      tx.selectFrom('appliance_billing_months').select('month').execute(),
      this.catalog.entries(),
      userRepo.epoch(tx),
    ]);
    const closed = new Set(closedRows.map((r) => r.month));
    const regsOf = new Map<string, RegistrationRow[]>();
    for (const r of regs) {
      const own = regsOf.get(r.manufacturing_number);
      if (own) own.push(r);
      else regsOf.set(r.manufacturing_number, [r]);
    }
    const result: BatchResult = { outcomes: new Map(), states: new Map(), recordTimes: [], stored: 0, userKeys: [], usersEpoch };
    const records: RecordRow[] = [];
    const usage = new Deltas<UsageDelta>();
    const functions = new Deltas<FunctionDelta>();
    const durations = new Deltas<DurationDelta>();
    const times = new Deltas<TimeDelta>();
    const users = new Map<string, UserMonthKey>();
    const updates: ApplianceStateUpdate[] = [];
    const receivedAt = new Date();

    for (const [mfg, group] of groups) {
      const appliance = appliances.get(mfg);
      if (!appliance) {
        for (const { item, rec } of group) {
          result.outcomes.set(item, {
            seq: rec.seq,
            status: 'rejected',
            error: { seq: rec.seq, code: 'unknown_appliance', message: `appliance ${mfg} is not on the production list` },
          });
        }
        continue;
      }
      const own = regsOf.get(mfg) ?? [];
      const st: DeviceState = {
        appliance,
        regs: own,
        open: own.find((r) => r.id === appliance.registration_id) ?? null,
        lastSeq: appliance.last_seq,
        lastSeen: appliance.last_seen_at,
        openUse:
          appliance.open_use_seq !== null && appliance.open_use_function && appliance.open_use_month
            ? { seq: appliance.open_use_seq, fn: appliance.open_use_function, sec: appliance.open_use_sec ?? 0, month: appliance.open_use_month }
            : null,
        touched: false,
      };
      const entry = catalog.get(appliance.model);
      const seen = new Set<number>();
      for (const { item, rec } of group) {
        if (existing.has(key(mfg, rec.seq)) || seen.has(rec.seq)) {
          result.outcomes.set(item, { seq: rec.seq, status: 'duplicate' });
          // A repeated first-use record means the appliance missed its answer: send it again.
          if (rec.type === 'first-use') result.states.set(mfg, this.stateFrom(st));
          continue;
        }
        try {
          if (rec.type === 'first-use') {
            await this.firstUse(tx, st, rec);
            records.push({
              manufacturing_number: mfg, seq: rec.seq, kind: 1, at: rec.at, received_at: receivedAt, function_code: null,
              param_code: null, param_value: null, duration_sec: null, continued: false, use_seq: null, bill_month: null,
            });
            result.states.set(mfg, this.stateFrom(st));
          } else {
            records.push(this.usage(st, entry, rec, closed, receivedAt, { usage, functions, durations, times, users }));
            result.recordTimes.push(rec.at.getTime());
          }
          seen.add(rec.seq);
          st.touched = true;
          if (rec.seq > st.lastSeq) st.lastSeq = rec.seq;
          if (!st.lastSeen || rec.at > st.lastSeen) st.lastSeen = rec.at;
          result.outcomes.set(item, { seq: rec.seq, status: 'stored' });
        } catch (err) {
          if (!(err instanceof RecordProblem)) throw err;
          result.outcomes.set(item, { seq: rec.seq, status: 'rejected', error: this.problem(rec.seq, err) });
        }
      }
      if (st.touched) {
        updates.push({
          manufacturing_number: mfg,
          registration_id: st.open?.id ?? null,
          last_seq: st.lastSeq,
          last_seen_at: st.lastSeen,
          open_use_seq: st.openUse?.seq ?? null,
          open_use_function: st.openUse?.fn ?? null,
          open_use_sec: st.openUse?.sec ?? null,
          open_use_month: st.openUse?.month ?? null,
        });
      }
    }

    result.stored = await usageRepo.insertRecords(tx, records);
    await usageRepo.upsertUsage(tx, usage.sorted());
    await userRepo.add(tx, this.knownUsers.unknown(usersEpoch, users));
    result.userKeys = [...users.keys()];
    await regRepo.updateAppliances(tx, updates);
    // Last: every batch of a model updates these same rows, so the next batch waits for this
    // one's commit from its first write to them on; nothing else should come after that write.
    await usageRepo.upsertFunction(tx, functions.sorted());
    await usageRepo.upsertDuration(tx, durations.sorted());
    await usageRepo.upsertTime(tx, times.sorted());
    return result;
  }

  private stateFrom(st: DeviceState): ApplianceState {
    return st.open ? { state: 'registered', customerNumber: String(st.open.customer_id), seq: st.open.first_seq } : { state: 'locked' };
  }

  /**
   * A first-use record (A-2, A-4): the card's holder is found by the card number (duplicate
   * check, A-5) or registered as a new customer; a card other than the registered one starts a
   * new registration for the appliance.
   */
  private async firstUse(tx: Tx, st: DeviceState, rec: FirstUseRecord): Promise<void> {
    const mfg = st.appliance.manufacturing_number;
    if (rec.seq <= st.lastSeq) {
      throw new RecordProblem(
        'stale_first_use',
        `seq ${rec.seq} is not after the appliance's last record (${st.lastSeq}); send the first-use record again with a new seq`,
        'seq',
      );
    }
    st.openUse = null;
    if (st.open && st.open.card_number === rec.card.number) return; // the same card again: nothing changes
    const actor: Actor = { type: 'system', id: mfg, label: `appliance ${mfg}`, surface: 'ingest' };
    const customerId = await this.customerForCard(tx, actor, rec.card);
    if (st.open) {
      await regRepo.endRegistration(tx, st.open.id, rec.seq, rec.at);
      st.open.end_seq = rec.seq;
      st.open.ended_at = rec.at;
    }
    const area = rec.card.address ? (splitPrefecture(rec.card.address).prefecture ?? '') : '';
    const reg = await regRepo.insertRegistration(tx, {
      manufacturing_number: mfg,
      model: st.appliance.model,
      customer_id: customerId,
      card_number: rec.card.number,
      account: rec.card.account,
      area,
      source: rec.card.sharedFrom ? 'home_network' : 'ic_card',
      first_seq: rec.seq,
      registered_at: rec.at,
    });
    st.regs.push(reg);
    st.open = reg;
    // The manufacturing number is an identifier of whoever uses the appliance now. When the
    // previous user still holds it, a job moves it after commit (the customers service moves
    // identifiers in its own transactions).
    const holder = await this.customers.resolveIdentifier('appliance_mfg_no', mfg, tx);
    if (holder === null) await this.customers.addIdentifier(actor, customerId, 'appliance_mfg_no', mfg, 'appliance', tx);
    else if (holder !== customerId) await this.jobs.send(JOB_SYNC_IDENTIFIER, { manufacturingNumber: mfg }, { tx });
  }

  private async customerForCard(tx: Tx, actor: Actor, card: CardInfo): Promise<number> {
    // Two appliances of one home registering one card at once: the second waits and links.
    await sql`select pg_advisory_xact_lock(hashtext(${`appliance-card:${card.number}`}))`.execute(tx);
    const existing = await this.customers.resolveIdentifier('member_card', card.number, tx);
    if (existing !== null) return existing;
    const split = card.address ? splitPrefecture(card.address) : null;
    const created = await this.customers.create(
      actor,
      { name: card.name, prefecture: split?.prefecture ?? null, addressLine1: split?.rest || null },
      tx,
      { source: 'appliance first use' },
    );
    const id = Number(created.customerNumber);
    await this.customers.addIdentifier(actor, id, 'member_card', card.number, 'appliance', tx);
    return id;
  }

  /** A usage record (A-3): checks it against the model's function list and computes its rollup deltas. */
  private usage(
    st: DeviceState,
    entry: CatalogEntry | undefined,
    rec: UsageRecord,
    closed: ReadonlySet<Month>,
    receivedAt: Date,
    d: {
      usage: Deltas<UsageDelta>;
      functions: Deltas<FunctionDelta>;
      durations: Deltas<DurationDelta>;
      times: Deltas<TimeDelta>;
      users: Map<string, UserMonthKey>;
    },
  ): RecordRow {
    const mfg = st.appliance.manufacturing_number;
    const model = st.appliance.model;
    const fn = rec.functionCode;
    if (!entry?.functionByCode.has(fn)) {
      throw new RecordProblem('unknown_function', `function ${fn} is not in the function list of model ${model}`, 'function');
    }
    if (rec.paramCode !== null && !entry.additionalByCode.has(rec.paramCode)) {
      throw new RecordProblem('unknown_function', `additional code ${rec.paramCode} is not in the function list of model ${model}`, 'function');
    }
    const reg = registrationCovering(st.regs, rec.seq);
    if (!reg && !entry.basic.has(fn)) {
      throw new RecordProblem('locked', `appliance ${mfg} is locked until its first-use record is acknowledged; ${fn} is not a basic function`);
    }
    if (rec.cardNumber !== null && reg?.card_number && rec.cardNumber !== reg.card_number) {
      throw new RecordProblem('card_not_registered', 'this card is not the one registered for the appliance; send a first-use record for it', 'card.number');
    }
    const inOrder = rec.seq > st.lastSeq;
    const extends_ = rec.continued && inOrder && st.openUse !== null && st.openUse.fn === fn;
    const usageMonth = monthOf(rec.at);
    const billMonth = billMonthFor(usageMonth, closed);
    const sec = rec.durationSec;
    const uses = extends_ ? 0 : 1;
    if (reg) {
      d.usage.add(
        `${reg.id}|${fn}|${usageMonth}|${billMonth}`,
        { registration_id: reg.id, function_code: fn, usage_month: usageMonth, bill_month: billMonth, model, uses, total_sec: sec, billable_min: billableMinutes(sec), last_use_at: rec.at },
        (a, b) => {
          a.uses += b.uses;
          a.total_sec += b.total_sec;
          a.billable_min += b.billable_min;
          if (b.last_use_at > a.last_use_at) a.last_use_at = b.last_use_at;
        },
      );
      // Distinct users (customer-keyed); the model's scope tells whether the batch has the key already.
      const scopes = scopesOf(model, entry.productType);
      const userKey = `|${fn}|${usageMonth}|${reg.customer_id}`;
      if (!d.users.has(scopes[2] + userKey)) {
        for (const scope of scopes) d.users.set(scope + userKey, { scope, function_code: fn, usage_month: usageMonth, customer_id: reg.customer_id });
      }
    }
    const area = reg?.area ?? '';
    d.functions.add(`${model}|${fn}|${usageMonth}|${area}`, { model, function_code: fn, usage_month: usageMonth, area, uses, total_sec: sec }, (a, b) => {
      a.uses += b.uses;
      a.total_sec += b.total_sec;
    });
    const histogram = (month: Month, bucket: number, n: number) =>
      d.durations.add(`${model}|${fn}|${month}|${String(bucket).padStart(2, '0')}`, { model, function_code: fn, usage_month: month, bucket, uses: n }, (a, b) => {
        a.uses += b.uses;
      });
    let useSeq = rec.seq;
    if (extends_) {
      const open = st.openUse!;
      useSeq = open.seq;
      histogram(open.month, durationBucket(open.sec), -1);
      open.sec += sec;
      histogram(open.month, durationBucket(open.sec), 1);
    } else {
      histogram(usageMonth, durationBucket(sec), 1);
      const { hour, weekday } = hourAndWeekday(rec.at);
      d.times.add(
        `${model}|${fn}|${usageMonth}|${weekday}|${String(hour).padStart(2, '0')}`,
        { model, function_code: fn, usage_month: usageMonth, weekday, hour, uses: 1 },
        (a, b) => {
          a.uses += b.uses;
        },
      );
      if (inOrder) st.openUse = { seq: rec.seq, fn, sec, month: usageMonth };
    }
    return {
      manufacturing_number: mfg,
      seq: rec.seq,
      kind: 2,
      at: rec.at,
      received_at: receivedAt,
      function_code: fn,
      param_code: rec.paramCode,
      param_value: rec.paramValue,
      duration_sec: sec,
      continued: rec.continued,
      use_seq: useSeq,
      bill_month: billMonth,
    };
  }

  // ---- outside the hot path ----

  /** The current state of appliances (for a device that (re)subscribes, and the HTTP route). */
  async states(mfgs: string[]): Promise<Map<string, ApplianceState>> {
    const rows = await regRepo.states(this.db, mfgs.map(canonicalNumber));
    return new Map(
      rows.map((r) => [
        r.manufacturing_number,
        r.customer_id === null || r.first_seq === null
          ? ({ state: 'locked' } as const)
          : ({ state: 'registered', customerNumber: String(r.customer_id), seq: r.first_seq } as const),
      ]),
    );
  }

  /** Tells observers (the brokers) the current state of these appliances, e.g. after a merge or an erasure. */
  async announceStates(mfgs: string[]): Promise<void> {
    const states = await this.states(mfgs);
    for (const [mfg, state] of states) for (const o of this.observers) o.state?.(mfg, state);
  }

  /** Moves the appliance_mfg_no identifier to the customer who uses the appliance now (job). */
  async syncIdentifier(mfg: string): Promise<void> {
    const actor: Actor = { type: 'system', id: mfg, label: `appliance ${mfg}`, surface: 'system' };
    const [state] = await regRepo.states(this.db, [mfg]);
    const current = state?.customer_id ?? null;
    const holder = await this.customers.resolveIdentifier('appliance_mfg_no', mfg);
    if (holder !== null && holder !== current) {
      const view = await this.customers.get(holder);
      const identifier = view.identifiers.find((i) => i.kind === 'appliance_mfg_no' && i.value === mfg);
      if (identifier && view.status === 'active') await this.customers.removeIdentifier(actor, holder, identifier.id);
    }
    if (current !== null && holder !== current) await this.customers.addIdentifier(actor, current, 'appliance_mfg_no', mfg, 'appliance');
  }
}
