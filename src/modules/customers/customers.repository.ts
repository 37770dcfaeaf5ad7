import { sql, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import { textArrayLiteral } from '../../platform/db/arrays.js';
import type { Db, Executor } from '../../platform/db/database.js';
import type {
  ConsentChannel,
  CustomerIdentifiersTable,
  CustomersTable,
  IdentifierKind,
} from './customers.tables.js';
import type { KeySet, NameTier } from './normalise.js';
import { nameIndexPresent } from './customers-import.repository.js';
import { customerNameWordsRepository as wordsRepo } from './customer-name-words.repository.js';

/** Words read from the dictionary per start, ending or typo lookup of a name search (each is someone's: 20 would fill a page). */
const EXPANSION_CAP = 200;
/** A lookup of more keys than this runs with sequential scans off (see searchByNameKeys). */
const INDEX_ONLY_FROM_KEYS = 8;
/** The same while the name index is down (a bulk load): each key is then tested on every row. */
const UNINDEXED_EXPANSION_CAP = 20;

export type CustomerRow = Selectable<CustomersTable>;
export type IdentifierRow = Selectable<CustomerIdentifiersTable>;

const SUMMARY_COLUMNS = ['id', 'registration_no', 'name', 'name_reading', 'email', 'phone', 'status', 'updated_at'] as const;
export type CustomerSummaryRow = Pick<CustomerRow, (typeof SUMMARY_COLUMNS)[number]>;

export const customersRepository = {
  insert(db: Executor, row: Insertable<CustomersTable>) {
    return db.insertInto('customers').values(row).returningAll().executeTakeFirstOrThrow();
  },
  /** Inserts unless the (random) registration number is taken; the caller draws another. */
  insertUnlessNumberTaken(db: Executor, row: Insertable<CustomersTable>) {
    return db
      .insertInto('customers')
      .values(row)
      .onConflict((oc) => oc.column('registration_no').doNothing())
      .returningAll()
      .executeTakeFirst();
  },
  /** Bulk insert for imports; returns ids in input order. */
  async insertMany(db: Executor, rows: Insertable<CustomersTable>[]) {
    if (rows.length === 0) return [];
    return db.insertInto('customers').values(rows).returning(['id', 'registration_no']).execute();
  },
  findById(db: Executor, id: number) {
    return db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  },
  findByIds(db: Executor, ids: number[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db.selectFrom('customers').selectAll().where('id', 'in', ids).execute();
  },
  /** Active customers matching a condition on alias `c`, as a subquery of ids. */
  segmentIdsSql(condition: RawBuilder<boolean>): RawBuilder<{ id: number }> {
    return sql<{ id: number }>`select c.id from customers c where c.status = 'active' and (${condition})`;
  },
  /** Locks the rows (ordered by id, so two merges cannot deadlock) for the rest of the transaction. */
  lockByIds(db: Executor, ids: number[]) {
    return db.selectFrom('customers').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
  },
  update(db: Executor, id: number, patch: Updateable<CustomersTable>) {
    return db.updateTable('customers').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },
  recent(db: Executor, limit: number) {
    return db
      .selectFrom('customers')
      .select(SUMMARY_COLUMNS)
      .where('status', '=', 'active')
      .orderBy('updated_at', 'desc')
      .limit(limit)
      .execute();
  },
  summariesByIds(db: Executor, ids: number[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return db.selectFrom('customers').select(SUMMARY_COLUMNS).where('id', 'in', ids).execute();
  },
  /**
   * Names and readings by their keys (normalise.ts nameQueryTiers), tier by tier until `limit`
   * rows are found. A tier's word starts, endings and typo candidates are first read from the
   * dictionary of words (at most EXPANSION_CAP per part: the first in order, each held by
   * someone). Within a tier, rows come in the order the GIN index's bitmap scan finds them and
   * the heap is read for `limit` rows only; the index part still walks every holder of a key
   * (~10 ms for 25,000 at a million customers). MATERIALIZED keeps the LIMIT out of the
   * subquery's plan: with it, the planner picked a sequential scan for rare keys it
   * overestimated, hoping to meet `limit` matches early (100 ms instead of 2 ms at a million
   * customers).
   * A lookup of many keys runs with sequential scans off, in a transaction of its own: the
   * planner adds up the guessed frequencies of its keys and, with hundreds, scanned the table
   * (1.6–2.3 s at a million customers of distinct names, 8.6 s for a thousand typo candidates,
   * instead of milliseconds through the index).
   * While a bulk load has the name index down, typo tiers are skipped and starts and endings
   * take a few words only: each lookup then reads the whole table.
   */
  async searchByNameKeys(db: Db, tiers: NameTier[], limit: number): Promise<(CustomerSummaryRow & { match: NameTier['match'] })[]> {
    const found: (CustomerSummaryRow & { match: NameTier['match'] })[] = [];
    const columns = sql.join(SUMMARY_COLUMNS.map((c) => sql.ref(c)));
    const indexed = await nameIndexPresent(db);
    const cap = indexed ? EXPANSION_CAP : UNINDEXED_EXPANSION_CAP;
    const lookUp = async (match: NameTier['match'], keySets: KeySet[]) => {
      const sets = await Promise.all(keySets.map((set) => wordsRepo.keysOf(db, set, cap)));
      if (sets.some((keys) => keys.length === 0)) return;
      const holdsAll = sql.join(
        sets.map((keys) => sql`name_keys && ${textArrayLiteral(keys)}::text[]`),
        sql` and `,
      );
      const query = sql<CustomerSummaryRow>`
        with matches as materialized (
          select ${columns} from customers where status = 'active' and ${holdsAll}
        )
        select * from matches where id <> all(${found.map((r) => r.id)}::bigint[]) limit ${limit - found.length}`;
      const rows =
        indexed && sets.reduce((n, keys) => n + keys.length, 0) > INDEX_ONLY_FROM_KEYS
          ? await db.transaction().execute(async (tx) => {
              await sql`set local enable_seqscan = off`.execute(tx);
              return query.execute(tx);
            })
          : await query.execute(db);
      found.push(...rows.rows.map((r) => ({ ...r, match })));
    };
    for (const tier of tiers) {
      if (found.length >= limit) break;
      if (!indexed && tier.match === 'name_typo') continue;
      if (tier.afterWord === undefined) await lookUp(tier.match, tier.sets);
      else {
        for (const sets of await wordsRepo.splitsAfterWord(db, tier.afterWord)) {
          if (found.length >= limit) break;
          await lookUp(tier.match, sets);
        }
      }
    }
    return found;
  },
  /** Customers whose name keys were never computed (rows from before they existed), by id; customers_name_keys_missing answers it. */
  withoutNameKeys(db: Executor, afterId: number, limit: number) {
    return db
      .selectFrom('customers')
      .select(['id', 'name', 'name_reading'])
      .where('id', '>', afterId)
      .where('name_keys', 'is', null)
      .orderBy('id')
      .limit(limit)
      .execute();
  },
  countWithoutNameKeys(db: Executor) {
    return db
      .selectFrom('customers')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('name_keys', 'is', null)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  },
  /** keys[i]: the name keys of ids[i]. */
  async setNameKeys(db: Executor, ids: number[], keys: string[][]) {
    if (ids.length === 0) return;
    await sql`
      update customers c set name_keys = u.keys::text[]
      from unnest(${ids}::bigint[], ${keys.map(textArrayLiteral)}::text[]) as u(id, keys)
      where c.id = u.id and c.name_keys is null`.execute(db);
  },
  /*
   * Prefix searches walk their text_pattern_ops index in its order (hence `using ~<~`) and stop
   * after `limit` rows. Without the order, a prefix held by a tenth of the customers (`user5`)
   * got a sequential scan expected to meet `limit` matches soon; where the matching rows lie
   * together in the table, it read hundreds of pages first (up to 365 ms at a million, against
   * under 1 ms now). Results come alphabetically, which is also what a person expects.
   */
  searchByPhonePrefix(db: Executor, digits: string, limit: number) {
    return db
      .selectFrom('customers')
      .select(SUMMARY_COLUMNS)
      .where('status', '=', 'active')
      .where('phone_digits', 'like', `${digits}%`)
      .orderBy(sql`phone_digits using ~<~`)
      .limit(limit)
      .execute();
  },
  searchByEmailPrefix(db: Executor, lower: string, limit: number) {
    return db
      .selectFrom('customers')
      .select(SUMMARY_COLUMNS)
      .where('status', '=', 'active')
      .where(sql<string>`lower(email::text)`, 'like', `${lower.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      .orderBy(sql`lower(email::text) using ~<~`)
      .limit(limit)
      .execute();
  },
  findByRegistrationNo(db: Executor, registrationNo: string) {
    return db.selectFrom('customers').selectAll().where('registration_no', '=', registrationNo).executeTakeFirst();
  },
  /**
   * The customer who holds a registration number: its owner, or, when the owner was merged
   * into another record (perhaps more than once), the record it ended up in. Null when the
   * number is unknown or the holder was erased (erasure releases the numbers it held).
   */
  async holderOfRegistrationNo(db: Executor, registrationNo: string): Promise<number | null> {
    const r = await sql<{ id: number; status: string }>`
      with recursive chain as (
        select id, status, merged_into, 0 as depth from customers where registration_no = ${registrationNo}
        union all
        select c.id, c.status, c.merged_into, chain.depth + 1
        from customers c join chain on c.id = chain.merged_into
        where chain.depth < 100
      )
      select id, status from chain order by depth desc limit 1`.execute(db);
    const holder = r.rows[0];
    return holder && holder.status === 'active' ? holder.id : null;
  },
  /**
   * The registration numbers a customer holds: its own and those of every record merged into
   * it (directly or through another merged record), own first. None once erased.
   */
  async registrationNumbersHeld(db: Executor, customerId: number) {
    const r = await sql<{ id: number; registration_no: string; created_at: Date; depth: number }>`
      with recursive held as (
        select id, registration_no, created_at, 0 as depth from customers where id = ${customerId} and status <> 'erased'
        union all
        select c.id, c.registration_no, c.created_at, held.depth + 1
        from customers c join held on c.merged_into = held.id
        where c.status = 'merged' and held.depth < 100
      )
      select id, registration_no, created_at, depth from held order by depth, id`.execute(db);
    return r.rows;
  },

  // ---- identifiers ----
  identifiersOf(db: Executor, customerId: number) {
    return db.selectFrom('customer_identifiers').selectAll().where('customer_id', '=', customerId).orderBy('id').execute();
  },
  findIdentifier(db: Executor, kind: IdentifierKind, value: string) {
    return db.selectFrom('customer_identifiers').selectAll().where('kind', '=', kind).where('value', '=', value).executeTakeFirst();
  },
  /** Any kind with this exact value (search). */
  findIdentifierValues(db: Executor, values: string[]) {
    if (values.length === 0) return Promise.resolve([]);
    return db.selectFrom('customer_identifiers').selectAll().where('value', 'in', values).limit(20).execute();
  },
  /**
   * Attaches an identifier unless another customer holds it. Returns the row that holds it
   * after the statement, so a race between two attaches has exactly one winner.
   */
  async attachIdentifier(db: Executor, row: Insertable<CustomerIdentifiersTable>) {
    const { inserted, existing } = await customersRepository.attachIdentifiers(db, [row]);
    return inserted[0] ? { row: inserted[0], created: true } : { row: existing[0]!, created: false };
  },
  /** Inserts those not held yet; returns the inserted rows and, for the rest, who holds them. */
  async attachIdentifiers(db: Executor, rows: Insertable<CustomerIdentifiersTable>[]) {
    const inserted = await db
      .insertInto('customer_identifiers')
      .values(rows)
      .onConflict((oc) => oc.constraint('customer_identifiers_kind_value_key').doNothing())
      .returningAll()
      .execute();
    const missing = rows.filter((r) => !inserted.some((i) => i.kind === r.kind && i.value === r.value));
    const existing = missing.length
      ? await db
          .selectFrom('customer_identifiers')
          .selectAll()
          .where((eb) => eb.or(missing.map((m) => eb.and([eb('kind', '=', m.kind), eb('value', '=', m.value)]))))
          .execute()
      : [];
    return { inserted, existing };
  },
  async insertIdentifiers(db: Executor, rows: Insertable<CustomerIdentifiersTable>[]) {
    if (rows.length === 0) return;
    await db.insertInto('customer_identifiers').values(rows).execute();
  },
  deleteIdentifier(db: Executor, customerId: number, id: number) {
    return db
      .deleteFrom('customer_identifiers')
      .where('id', '=', id)
      .where('customer_id', '=', customerId)
      .returningAll()
      .executeTakeFirst();
  },
  deleteIdentifiersOf(db: Executor, customerId: number) {
    return db.deleteFrom('customer_identifiers').where('customer_id', '=', customerId).returningAll().execute();
  },
  moveIdentifiers(db: Executor, fromId: number, toId: number) {
    return db
      .updateTable('customer_identifiers')
      .set({ customer_id: toId })
      .where('customer_id', '=', fromId)
      .returning('id')
      .execute()
      .then((rows) => rows.map((r) => r.id));
  },
  moveIdentifiersById(db: Executor, ids: number[], fromId: number, toId: number) {
    if (ids.length === 0) return Promise.resolve([]);
    return db
      .updateTable('customer_identifiers')
      .set({ customer_id: toId })
      .where('id', 'in', ids)
      .where('customer_id', '=', fromId)
      .returning('id')
      .execute();
  },

  // ---- consent ----
  appendConsent(
    db: Executor,
    row: { customer_id: number; channel: ConsentChannel; granted: boolean; source: string; surface: string },
  ) {
    return db.insertInto('consent_events').values(row).returningAll().executeTakeFirstOrThrow();
  },
  /** The current state of a channel, kept on the customer row in the transaction that appends its event. */
  setCurrentConsent(db: Executor, customerId: number, channel: ConsentChannel, granted: boolean) {
    return db
      .updateTable('customers')
      .set(channel === 'email' ? { email_consent: granted } : { postal_mail_consent: granted })
      .where('id', '=', customerId)
      .execute();
  },
  consentEventsOf(db: Executor, customerId: number) {
    return db.selectFrom('consent_events').selectAll().where('customer_id', '=', customerId).orderBy('id', 'desc').execute();
  },
  /** The latest ledger entry per channel (none for a channel never asked about). */
  async currentConsentOf(db: Executor, customerId: number) {
    const rows = await sql<{ channel: ConsentChannel; granted: boolean; at: Date; source: string; surface: string }>`
      select distinct on (channel) channel, granted, at, source, surface
      from consent_events where customer_id = ${customerId}
      order by channel, at desc, id desc`.execute(db);
    return rows.rows;
  },
  moveConsentEvents(db: Executor, fromId: number, toId: number) {
    return db
      .updateTable('consent_events')
      .set({ customer_id: toId })
      .where('customer_id', '=', fromId)
      .returning('id')
      .execute()
      .then((rows) => rows.map((r) => r.id));
  },
  moveConsentEventsById(db: Executor, ids: number[], toId: number) {
    if (ids.length === 0) return Promise.resolve();
    return db.updateTable('consent_events').set({ customer_id: toId }).where('id', 'in', ids).execute().then(() => undefined);
  },
  /** Re-derives the current consent per channel from the ledger: the latest event wins. */
  async recomputeConsent(db: Executor, customerId: number) {
    const latest = (channel: ConsentChannel) => sql<boolean>`coalesce((
      select granted from consent_events
      where customer_id = ${customerId} and channel = ${channel}
      order by at desc, id desc limit 1), false)`;
    await db
      .updateTable('customers')
      .set({ email_consent: latest('email'), postal_mail_consent: latest('postal_mail') })
      .where('id', '=', customerId)
      .execute();
  },
};
