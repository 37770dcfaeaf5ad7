import { sql } from 'kysely';
import { textArrayLiteral } from '../../platform/db/arrays.js';
import type { Db, Executor } from '../../platform/db/database.js';

/**
 * An import batch as the columns it is written to: one array per column, a customer's values at
 * the same index in each (no object per customer: the import's garbage collection was a fifth
 * of its Node time).
 */
export interface ImportColumns {
  registration_no: string[];
  name: (string | null)[];
  name_reading: (string | null)[];
  postal_code: (string | null)[];
  prefecture: (string | null)[];
  city: (string | null)[];
  address_line1: (string | null)[];
  address_line2: (string | null)[];
  phone: (string | null)[];
  birth_date: (string | null)[];
  occupation: (string | null)[];
  email: (string | null)[];
  nickname: (string | null)[];
  /** Each customer's name keys, joined by joinNameKeys. */
  name_keys: string[];
  phone_digits: (string | null)[];
  /** Consent given in the file: the current state, and a ledger entry for each. */
  email_consent: boolean[];
  postal_mail_consent: boolean[];
}

const TEXT_COLUMNS = [
  'registration_no',
  'name',
  'name_reading',
  'postal_code',
  'prefecture',
  'city',
  'address_line1',
  'address_line2',
  'phone',
  'birth_date',
  'occupation',
  'email',
  'nickname',
  'phone_digits',
] as const satisfies readonly (keyof ImportColumns)[];

/**
 * Between a customer's name keys in transit: a control character, which personal info never
 * holds (personal-info.ts refuses them). One string per customer split by string_to_array
 * costs PostgreSQL a fraction of parsing an array literal inside an array literal.
 */
const KEY_SEPARATOR = '\u001f';

/** A customer's name keys as ImportColumns.name_keys carries them. */
export const joinNameKeys = (keys: string[]): string => keys.join(KEY_SEPARATOR);

/**
 * The name search index as migration 20261201_0070 created it; a bulk load drops it and builds
 * it again with this statement, so the two must stay the same.
 */
const NAME_INDEX_DDL = 'create index if not exists customers_name_keys on customers using gin (name_keys)';

/** True when the name search index exists (a bulk load drops it for a while). */
export const nameIndexPresent = async (db: Executor): Promise<boolean> =>
  (await sql<{ present: boolean }>`select to_regclass('customers_name_keys') is not null as present`.execute(db)).rows[0]?.present ?? false;

async function buildNameIndex(tx: Executor) {
  await sql`set local maintenance_work_mem = '256MB'`.execute(tx);
  await sql.raw(NAME_INDEX_DDL).execute(tx);
}

/** Advisory lock key: held shared by every running bulk load, tried exclusively by ensureNameIndex. */
const BULK_LOAD_LOCK = 7_301_202_612;

/** Bulk writes of `clientele customers import`. Each call is one statement. */
export const customersImportRepository = {
  /**
   * Settings for an import batch's transaction only (SET LOCAL):
   * - it does not wait for its WAL to reach the disk at commit (a crash may lose the last
   *   batches' commits, never half a batch); the next batch starts sooner;
   * - the name index's pending list may grow to 64 MB before this batch merges it into the
   *   index (4 MB otherwise). A merge adds all pending entries of a key to its posting list at
   *   once, so fewer, larger merges cost less per customer (a third less, measured). Searches
   *   read the pending list until it is merged: flushNamePendingList() at the end of an import.
   * - the trigger that adds new customers' words to the dictionary of words leaves it to
   *   addNameWords (migration 20261201_0100).
   */
  async bulkWriteSettings(tx: Executor) {
    await sql`set local synchronous_commit = off`.execute(tx);
    await sql`set local gin_pending_list_limit = '64MB'`.execute(tx);
    await sql`set local clientele.name_words_added = 'on'`.execute(tx);
  },

  /** Adds a batch's words (distinct = keys) to the dictionary of words, with their typos (customer_name_words_add, migration 20261201_0100). */
  async addNameWords(tx: Executor, keys: string[]) {
    if (keys.length === 0) return;
    await sql`select customer_name_words_add(${textArrayLiteral(keys)}::text[])`.execute(tx);
  },

  /**
   * For the rest of the transaction, autovacuum skips the tables a bulk import writes to.
   * Waits a few seconds at most (a running autovacuum gives way after a second); false when
   * another import or a manual VACUUM holds the lock, and the import then goes on without it.
   */
  async holdOffMaintenance(tx: Executor): Promise<boolean> {
    await sql`savepoint hold_off_maintenance`.execute(tx);
    try {
      await sql`set local lock_timeout = '5s'`.execute(tx);
      await sql`lock table customers, consent_events in share update exclusive mode`.execute(tx);
      await sql`set local lock_timeout = 0`.execute(tx);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err;
      await sql`rollback to savepoint hold_off_maintenance`.execute(tx);
      return false;
    }
  },

  /**
   * The end of a bulk import: the name index built when the import dropped it, or else its
   * pending entries merged into it (searches stop reading them one by one); then, when the
   * import held maintenance off, fresh planner statistics (in the transaction holding the lock).
   */
  async finishBulkWrites(tx: Executor, analyze: boolean, indexDropped: boolean) {
    if (indexDropped) await buildNameIndex(tx);
    // Another import may have dropped the index meanwhile.
    else if (await nameIndexPresent(tx)) await sql`select gin_clean_pending_list('customers_name_keys'::regclass)`.execute(tx);
    if (analyze) await sql`analyze customers, consent_events`.execute(tx);
  },

  /**
   * Drops the name search index for an import that builds it afterwards. False when the
   * table's lock (an instant of ACCESS EXCLUSIVE) cannot be had within a few seconds: the
   * import then keeps the index.
   */
  async dropNameIndex(db: Db): Promise<boolean> {
    try {
      await db.transaction().execute(async (tx) => {
        await sql`set local lock_timeout = '5s'`.execute(tx);
        await sql`drop index if exists customers_name_keys`.execute(tx);
      });
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === '55P03') return false;
      throw err;
    }
  },

  /** For the rest of the transaction: a bulk load runs (shared: several may). */
  async markBulkLoad(tx: Executor) {
    await sql`select pg_advisory_xact_lock_shared(${BULK_LOAD_LOCK})`.execute(tx);
  },

  /**
   * Builds the name search index when it is missing and no bulk load is running (one that
   * dropped it died); true when it did.
   */
  async ensureNameIndex(db: Db): Promise<boolean> {
    if (await nameIndexPresent(db)) return false;
    return db.transaction().execute(async (tx) => {
      const free = await sql<{ free: boolean }>`select pg_try_advisory_xact_lock(${BULK_LOAD_LOCK}) as free`.execute(tx);
      if (!free.rows[0]?.free) return false;
      await buildNameIndex(tx);
      return true;
    });
  },

  /** Customers there are, counted up to `upTo` (enough to compare with an import's size). */
  async countUpTo(db: Executor, upTo: number): Promise<number> {
    const r = await sql<{ n: number }>`select count(*)::int as n from (select 1 from customers limit ${upTo}) c`.execute(db);
    return r.rows[0]?.n ?? 0;
  },

  /** Lower-cased e-mail addresses among `emails` that a customer already has. */
  async knownEmails(db: Executor, emails: string[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    // What citext equality compares, lower(email::text), so that the customers_email_prefix index answers it.
    const found = await sql<{ email: string }>`
      select lower(email::text) as email from customers
      where lower(email::text) = any(array(select lower(e) from unnest(${textArrayLiteral(emails)}::text[]) e))`.execute(db);
    return new Set(found.rows.map((r) => r.email));
  },

  /**
   * Inserts customers and their consent (current state + ledger entry) in one statement
   * of unnest arrays. A row whose registration number is taken is skipped (ON CONFLICT DO
   * NOTHING) and so is its consent: the caller sees it missing from the result, draws another
   * number and sends it again. Numbers must be unique within `rows`. Returns the ids of the
   * inserted rows by registration number.
   */
  async insertCustomersWithConsent(
    db: Executor,
    rows: ImportColumns,
    consent: { source: string; surface: string },
  ): Promise<{ id: number; registration_no: string }[]> {
    if (rows.registration_no.length === 0) return [];
    // Each column is one array literal: the driver would quote and escape every value of
    // its own arrays (measured: ~14 µs of Node CPU per row with the garbage), and a JSON
    // document instead costs PostgreSQL ~30 µs per row to parse.
    const col = (c: (typeof TEXT_COLUMNS)[number]) => textArrayLiteral(rows[c]);
    const flag = (c: 'email_consent' | 'postal_mail_consent') => textArrayLiteral(rows[c].map((v) => (v ? 't' : 'f')));
    const result = await sql<{ id: number; registration_no: string }>`
      with input as (
        select * from unnest(
          ${col('registration_no')}::text[],
          ${col('name')}::text[], ${col('name_reading')}::text[], ${col('postal_code')}::text[],
          ${col('prefecture')}::text[], ${col('city')}::text[], ${col('address_line1')}::text[],
          ${col('address_line2')}::text[], ${col('phone')}::text[], ${col('birth_date')}::date[],
          ${col('occupation')}::text[], ${col('email')}::text[], ${col('nickname')}::text[],
          ${textArrayLiteral(rows.name_keys)}::text[], ${col('phone_digits')}::text[],
          ${flag('email_consent')}::boolean[], ${flag('postal_mail_consent')}::boolean[]
        ) as t(registration_no, name, name_reading, postal_code, prefecture, city, address_line1, address_line2,
               phone, birth_date, occupation, email, nickname, name_keys, phone_digits, email_consent, postal_mail_consent)
      ), inserted as (
        insert into customers (registration_no, name, name_reading, postal_code, prefecture, city, address_line1,
                               address_line2, phone, birth_date, occupation, email, nickname, name_keys, phone_digits,
                               email_consent, postal_mail_consent)
        select registration_no, name, name_reading, postal_code, prefecture, city, address_line1,
               address_line2, phone, birth_date, occupation, email, nickname, string_to_array(name_keys, ${KEY_SEPARATOR}), phone_digits,
               email_consent, postal_mail_consent
        from input
        on conflict (registration_no) do nothing
        returning id, registration_no, email_consent, postal_mail_consent
      ), events as (
        insert into consent_events (customer_id, channel, granted, source, surface)
        select i.id, ch.channel, true, ${consent.source}, ${consent.surface}
        from inserted i
        cross join lateral (values ('email', i.email_consent), ('postal_mail', i.postal_mail_consent)) as ch(channel, given)
        where ch.given
      )
      select id, registration_no from inserted`.execute(db);
    return result.rows;
  },

  /** One page of the export: customers (not merged) after `after` in id order, with current consent. */
  async exportPage(db: Executor, after: number, pageSize: number) {
    const rows = await sql<Record<string, unknown>>`
      select c.* from customers c
      where c.id > ${after} and c.status <> 'merged'
      order by c.id limit ${pageSize}`.execute(db);
    return rows.rows;
  },

  async countNotMerged(db: Executor): Promise<number> {
    const r = await sql<{ n: number }>`select count(*)::bigint as n from customers where status <> 'merged'`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  },
};
