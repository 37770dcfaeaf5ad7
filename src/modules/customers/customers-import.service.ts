import type { Db, Tx } from '../../platform/db/database.js';
import type { Actor } from '../../platform/auth/principal.js';
import type { FieldProblem } from '../../platform/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import { formatRegistrationNo, generateRegistrationNo } from './registration-number.js';
import { cleanPersonal, type PersonalField, type PersonalInput } from './personal-info.js';
import { digitsOf, nameKeysOf } from './normalise.js';
import { customersImportRepository as importRepo, joinNameKeys, type ImportColumns } from './customers-import.repository.js';
import { NAME_INDEX_REBUILD_FROM } from './import-limits.js';

/** CSV column ↔ personal field. Column names are snake_case, as spreadsheets usually have them. */
export const IMPORT_COLUMNS: Record<string, PersonalField> = {
  name: 'name',
  name_reading: 'nameReading',
  postal_code: 'postalCode',
  prefecture: 'prefecture',
  city: 'city',
  address_line1: 'addressLine1',
  address_line2: 'addressLine2',
  phone: 'phone',
  birth_date: 'birthDate',
  occupation: 'occupation',
  email: 'email',
  nickname: 'nickname',
};
export const CONSENT_COLUMNS = { email_consent: 'email', postal_mail_consent: 'postal_mail' } as const;
export const EXPORT_COLUMNS = ['customer_number', 'registration_no', ...Object.keys(IMPORT_COLUMNS), ...Object.keys(CONSENT_COLUMNS), 'status', 'created_at'];

export interface ImportRecord {
  /** Line in the source file, for error reports. */
  line: number;
  values: Record<string, string | undefined>;
}

export interface ImportProblem {
  line: number;
  reason: 'invalid' | 'duplicate_email';
  problems: FieldProblem[];
}

/** An import in progress (startImport). */
export interface BulkImport {
  /** The import dropped the name search index and builds it at its end (a bulk load). */
  readonly buildsNameIndex: boolean;
  /** After the last batch: merges pending index entries, analyzes, lets autovacuum back in. */
  finish(): Promise<void>;
  /** After a failure: lets autovacuum back in without the final work. */
  abandon(): Promise<void>;
}

export interface ImportOptions {
  /** Rows the import expects to write (e.g. the file's lines): decides whether it is a bulk load. */
  expectedRows?: number;
  /**
   * `auto`: a bulk load (from NAME_INDEX_REBUILD_FROM rows, and at least as many as there are
   * customers already) drops the name search index and builds it at the end; `keep` never does;
   * `rebuild` always does.
   */
  nameIndex?: 'auto' | 'keep' | 'rebuild';
}

export interface RunImportOptions extends ImportOptions {
  /** The rows are written; the end of the import (e.g. building the name index) begins. */
  onFinishing?: (bulk: BulkImport) => void;
}

export interface ImportBatchResult {
  inserted: number;
  rejected: ImportProblem[];
}

const IMPORT_COLUMN_ENTRIES = Object.entries(IMPORT_COLUMNS);

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'y', 'はい']);
const FALSE_WORDS = new Set(['', '0', 'false', 'no', 'n', 'いいえ']);

/** An import of `rows` into a table of `existing` customers is a bulk load (see NAME_INDEX_REBUILD_FROM). */
export function isBulkLoad(rows: number, existing: number): boolean {
  return rows >= NAME_INDEX_REBUILD_FROM && existing <= rows;
}

/** A promise and the function that resolves it (Promise.withResolvers, which Node 20 lacks). */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Reports which columns of a header are not understood; an import with unknown columns is refused. */
export function unknownColumns(header: string[]): string[] {
  return header.filter((h) => !(h in IMPORT_COLUMNS) && !(h in CONSENT_COLUMNS));
}

interface CleanRow {
  line: number;
  values: PersonalInput;
  emailConsent: boolean;
  postalMailConsent: boolean;
}

/**
 * The columns of `rows` but their registration numbers, which are drawn when written; and their
 * distinct words (= keys), for the dictionary of words.
 */
function columnsOf(rows: CleanRow[]): { columns: Omit<ImportColumns, 'registration_no'>; nameWords: string[] } {
  const text = (field: PersonalField) => rows.map((r) => r.values[field] ?? null);
  const nameWords = new Set<string>();
  const nameKeys = (row: CleanRow) => {
    const keys = nameKeysOf(row.values.name, row.values.nameReading);
    for (const k of keys) if (k.charCodeAt(0) === WORD_MARK) nameWords.add(k);
    return joinNameKeys(keys);
  };
  const columns = {
    name: text('name'),
    name_reading: text('nameReading'),
    postal_code: text('postalCode'),
    prefecture: text('prefecture'),
    city: text('city'),
    address_line1: text('addressLine1'),
    address_line2: text('addressLine2'),
    phone: text('phone'),
    birth_date: text('birthDate'),
    occupation: text('occupation'),
    email: text('email'),
    nickname: text('nickname'),
    // What columnsFor derives for a new customer.
    name_keys: rows.map(nameKeys),
    phone_digits: rows.map((r) => (r.values.phone ? digitsOf(r.values.phone) : null)),
    email_consent: rows.map((r) => r.emailConsent),
    postal_mail_consent: rows.map((r) => r.postalMailConsent),
  };
  return { columns, nameWords: [...nameWords] };
}

/** A name key's first character when it is a whole word, which the dictionary of words holds. */
const WORD_MARK = '='.charCodeAt(0);

/** The rows at `indexes` of every column (a retry with fresh registration numbers). */
function pick<T extends Record<string, unknown[]>>(columns: T, indexes: number[]): T {
  const out: Record<string, unknown[]> = {};
  for (const [name, values] of Object.entries(columns)) out[name] = indexes.map((i) => values[i]);
  return out as T;
}

/**
 * Bulk customer import: each batch is validated row by row, then written with a handful of
 * set-based statements (unnest arrays), not one statement per row. Invalid rows and e-mail
 * addresses already known are reported by line and skipped, so re-running a file does not
 * create the same people twice.
 */
export class CustomersImportService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  async importBatch(actor: Actor, records: ImportRecord[], source = 'import'): Promise<ImportBatchResult> {
    const rejected: ImportProblem[] = [];
    const clean: CleanRow[] = [];
    for (const record of records) {
      const input: PersonalInput = {};
      for (const [column, field] of IMPORT_COLUMN_ENTRIES) {
        const v = record.values[column];
        if (v !== undefined) input[field] = v;
      }
      const { values, problems } = cleanPersonal(input);
      const consentGiven = (column: keyof typeof CONSENT_COLUMNS) => {
        const raw = (record.values[column] ?? '').trim().toLowerCase();
        if (TRUE_WORDS.has(raw)) return true;
        if (!FALSE_WORDS.has(raw)) problems.push({ field: column, message: 'must be true/false, yes/no or 1/0' });
        return false;
      };
      const emailConsent = consentGiven('email_consent');
      const postalMailConsent = consentGiven('postal_mail_consent');
      if (emailConsent && !values.email) problems.push({ field: 'email_consent', message: 'needs an e-mail address' });
      if (problems.length) rejected.push({ line: record.line, reason: 'invalid', problems });
      else clean.push({ line: record.line, values, emailConsent, postalMailConsent });
    }
    if (clean.length === 0) return { inserted: 0, rejected };

    return this.db.transaction().execute(async (tx) => {
      await importRepo.bulkWriteSettings(tx);
      const fresh = await this.dropKnownEmails(tx, clean, rejected);
      await this.insertRows(tx, actor, fresh, source);
      return { inserted: fresh.length, rejected: rejected.sort((a, b) => a.line - b.line) };
    });
  }

  /**
   * Opens a bulk import: until `finish` or `abandon`, autovacuum leaves the customers tables
   * alone. Growing from nothing to a million rows, autovacuum re-analyzed the table at every
   * 10 % of growth (30,000 sampled rows each, sorting case-insensitive e-mails and counting name
   * keys): a quarter of the database's CPU during an import, in a profile. A lock that only
   * maintenance takes (SHARE UPDATE EXCLUSIVE) is held by a connection of its own, so writes and
   * searches go on, and a crashed import leaves nothing behind: the lock ends with the connection.
   * A second import at the same time goes on without the lock. `finish` merges the name index's
   * pending entries and analyzes the tables once. A bulk load (ImportOptions) first drops the name
   * index, and `finish` (or `abandon`) builds it, in the transaction holding the lock.
   */
  async startImport(options: ImportOptions = {}): Promise<BulkImport> {
    const bulkLoad = await this.bulkLoadFor(options);
    let buildsNameIndex = false;
    const released = signal<boolean>();
    const marked = signal();
    const indexDropped = signal();
    const locked = signal();
    const held = this.db.transaction().execute(async (tx) => {
      if (bulkLoad) {
        // Marks the bulk load for ensureNameIndex (which must not build the index meanwhile)
        // before the index is dropped, on the connection that builds it again.
        await importRepo.markBulkLoad(tx);
        marked.resolve();
        await indexDropped.promise;
      }
      const holding = await importRepo.holdOffMaintenance(tx);
      locked.resolve();
      const finishing = await released.promise;
      // An abandoned bulk load still builds the index it dropped; if the process dies, the
      // running server (or the next `clientele start` or `migrate`) does: ensureNameIndex.
      if (finishing || buildsNameIndex) await importRepo.finishBulkWrites(tx, finishing && holding, buildsNameIndex);
    });
    // The lock's connection may fail while batches run (e.g. a server restart): that surfaces
    // from finish(), never as an unhandled rejection in between.
    held.catch(() => undefined);
    if (bulkLoad) {
      await Promise.race([marked.promise, held]);
      try {
        buildsNameIndex = await importRepo.dropNameIndex(this.db);
      } finally {
        indexDropped.resolve();
      }
    }
    await Promise.race([locked.promise, held]);
    // Only the first call decides: a promise resolves once.
    const end = (finishing: boolean) => {
      released.resolve(finishing);
      return held;
    };
    return { buildsNameIndex, finish: () => end(true), abandon: () => end(false).catch(() => undefined) };
  }

  private async bulkLoadFor({ expectedRows, nameIndex = 'auto' }: ImportOptions): Promise<boolean> {
    if (nameIndex !== 'auto') return nameIndex === 'rebuild';
    if (expectedRows === undefined || !isBulkLoad(expectedRows, 0)) return false;
    return isBulkLoad(expectedRows, await importRepo.countUpTo(this.db, expectedRows + 1));
  }

  /**
   * Runs `write` (the import's batches) between startImport and finish, or abandon when it fails.
   * `onFinishing` hears when the batches are done and what the end does (for a progress line).
   */
  async runImport<T>(write: () => Promise<T>, options: RunImportOptions = {}): Promise<T> {
    const bulk = await this.startImport(options);
    try {
      const result = await write();
      options.onFinishing?.(bulk);
      await bulk.finish();
      return result;
    } catch (err) {
      await bulk.abandon();
      throw err;
    }
  }

  /** Builds the name search index if an interrupted bulk load left it missing; true when it did. */
  ensureNameIndex(): Promise<boolean> {
    return importRepo.ensureNameIndex(this.db);
  }

  private async dropKnownEmails(tx: Tx, rows: CleanRow[], rejected: ImportProblem[]): Promise<CleanRow[]> {
    const known = await importRepo.knownEmails(
      tx,
      rows.map((r) => r.values.email).filter((e): e is string => !!e),
    );
    const out: CleanRow[] = [];
    for (const row of rows) {
      const email = row.values.email?.toLowerCase();
      if (email && known.has(email)) {
        rejected.push({ line: row.line, reason: 'duplicate_email', problems: [{ field: 'email', message: 'a customer with this e-mail exists' }] });
        continue;
      }
      if (email) known.add(email);
      out.push(row);
    }
    return out;
  }

  /**
   * Writes the customers with their consent in one statement, then one audit entry for the
   * whole batch that names every customer created (and the line each came from).
   */
  private async insertRows(tx: Tx, actor: Actor, rows: CleanRow[], source: string): Promise<void> {
    // Numbers drawn for one statement must differ from each other: ON CONFLICT DO NOTHING would
    // skip the second of two equal ones and both rows would then map to the first's id. In a
    // batch of 2,000 out of 9×10⁸ numbers that happens about once in 450 batches.
    const drawn = new Set<string>();
    const draw = () => {
      let n = generateRegistrationNo();
      while (drawn.has(n)) n = generateRegistrationNo();
      drawn.add(n);
      return n;
    };
    const { columns, nameWords } = columnsOf(rows);
    const numbers = rows.map(() => draw());
    const ids = new Array<number>(rows.length);
    let pending = rows.map((_, i) => i);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 8) throw new Error('could not allocate unique registration numbers');
      const sent = pending.length === rows.length ? columns : pick(columns, pending);
      const inserted = await importRepo.insertCustomersWithConsent(
        tx,
        { ...sent, registration_no: pending.map((i) => numbers[i]!) },
        { source, surface: actor.surface },
      );
      const idOf = new Map(inserted.map((r) => [r.registration_no, r.id]));
      const retry: number[] = [];
      for (const i of pending) {
        const id = idOf.get(numbers[i]!);
        if (id !== undefined) ids[i] = id;
        else {
          numbers[i] = draw();
          retry.push(i);
        }
      }
      pending = retry;
    }
    const byId = rows.map((_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
    await this.audit.recordForMany(tx, {
      actor,
      action: 'customer.create',
      customerIds: byId.map((i) => ids[i]!),
      details: { source },
      perCustomer: { line: byId.map((i) => rows[i]!.line) },
    });
    // Last: a new word's row is locked until this transaction commits, and the other batch in
    // flight waits for it if it adds the same word (at the start of an import, nearly every batch).
    await importRepo.addNameWords(tx, nameWords);
  }

  /** Streams every customer in id order, in pages, as CSV-ready records. */
  async *exportPages(pageSize = 5000): AsyncGenerator<Record<string, string>[]> {
    let after = 0;
    for (;;) {
      const rows = await importRepo.exportPage(this.db, after, pageSize);
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1]!.id);
      yield rows.map((r) => {
        const out: Record<string, string> = {
          customer_number: String(r.id),
          registration_no: formatRegistrationNo(String(r.registration_no)),
        };
        // The CSV column names are the database column names.
        for (const column of Object.keys(IMPORT_COLUMNS)) out[column] = r[column] == null ? '' : String(r[column]);
        out.email_consent = r.email_consent ? 'true' : 'false';
        out.postal_mail_consent = r.postal_mail_consent ? 'true' : 'false';
        out.status = String(r.status);
        out.created_at = new Date(r.created_at as string).toISOString();
        return out;
      });
    }
  }

  async count(): Promise<number> {
    return importRepo.countNotMerged(this.db);
  }
}
