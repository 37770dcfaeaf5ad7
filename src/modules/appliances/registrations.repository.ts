import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { AppliancesTable, ApplianceRegistrationsTable } from './appliances.tables.js';

export type ApplianceRow = Selectable<AppliancesTable>;
export type RegistrationRow = Selectable<ApplianceRegistrationsTable>;

export interface ApplianceStateUpdate {
  manufacturing_number: string;
  registration_id: number | null;
  last_seq: number;
  last_seen_at: Date | null;
  open_use_seq: number | null;
  open_use_function: string | null;
  open_use_sec: number | null;
  open_use_month: string | null;
}

/** `= any($1)`: one array parameter instead of a placeholder per number (a batch has up to a thousand). */
const anyText = (values: string[]) => sql<string>`any(${values}::text[])`;

/** Appliances' device state and their registrations (who uses the appliance since which record). */
export const registrationsRepository = {
  /**
   * Locks the appliances of a batch, always in the same order so two nodes working on
   * overlapping batches wait for each other instead of deadlocking. Records of one appliance
   * are therefore processed by one transaction at a time, across all nodes.
   */
  lockAppliances(tx: Executor, mfgs: string[]): Promise<ApplianceRow[]> {
    if (mfgs.length === 0) return Promise.resolve([]);
    return tx
      .selectFrom('appliances')
      .selectAll()
      .where('manufacturing_number', '=', anyText([...mfgs].sort()))
      .orderBy('manufacturing_number')
      .forUpdate()
      .execute();
  },
  registrationsOf(db: Executor, mfgs: string[]): Promise<RegistrationRow[]> {
    if (mfgs.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('appliance_registrations')
      .selectAll()
      .where('manufacturing_number', '=', anyText(mfgs))
      .orderBy('manufacturing_number')
      .orderBy('first_seq')
      .execute();
  },
  insertRegistration(tx: Executor, row: Insertable<ApplianceRegistrationsTable>): Promise<RegistrationRow> {
    return tx.insertInto('appliance_registrations').values(row).returningAll().executeTakeFirstOrThrow();
  },
  async endRegistration(tx: Executor, id: number, endSeq: number, endedAt: Date): Promise<void> {
    await tx.updateTable('appliance_registrations').set({ end_seq: endSeq, ended_at: endedAt }).where('id', '=', id).execute();
  },
  /** Writes the device state of many appliances in one statement. */
  async updateAppliances(tx: Executor, rows: ApplianceStateUpdate[]): Promise<void> {
    if (rows.length === 0) return;
    await sql`
      update appliances a set
        registration_id = v.registration_id, last_seq = greatest(a.last_seq, v.last_seq),
        last_seen_at = greatest(a.last_seen_at, v.last_seen_at), open_use_seq = v.open_use_seq,
        open_use_function = v.open_use_function, open_use_sec = v.open_use_sec, open_use_month = v.open_use_month
      from unnest(${rows.map((r) => r.manufacturing_number)}::text[], ${rows.map((r) => r.registration_id)}::bigint[],
        ${rows.map((r) => r.last_seq)}::bigint[], ${rows.map((r) => r.last_seen_at)}::timestamptz[],
        ${rows.map((r) => r.open_use_seq)}::bigint[], ${rows.map((r) => r.open_use_function)}::text[],
        ${rows.map((r) => r.open_use_sec)}::int[], ${rows.map((r) => r.open_use_month)}::date[])
        as v(mfg, registration_id, last_seq, last_seen_at, open_use_seq, open_use_function, open_use_sec, open_use_month)
      where a.manufacturing_number = v.mfg`.execute(tx);
  },
  /** The current state of appliances: open registration and its customer. */
  states(db: Executor, mfgs: string[]) {
    if (mfgs.length === 0) return Promise.resolve([]);
    return db
      .selectFrom('appliances as a')
      .leftJoin('appliance_registrations as r', 'r.id', 'a.registration_id')
      .select(['a.manufacturing_number', 'r.customer_id', 'r.first_seq'])
      .where('a.manufacturing_number', 'in', mfgs)
      .execute();
  },
  ofCustomer(db: Executor, customerId: number) {
    return db
      .selectFrom('appliance_registrations')
      .selectAll()
      .where('customer_id', '=', customerId)
      .orderBy('registered_at')
      .orderBy('id')
      .execute();
  },
  ofAppliance(db: Executor, mfg: string) {
    return db.selectFrom('appliance_registrations').selectAll().where('manufacturing_number', '=', mfg).orderBy('first_seq', 'desc').execute();
  },
  /**
   * Locks the appliances these customers have (had) registrations on — the lock the ingest
   * takes first — so no batch reads their registrations while a merge or its undo moves them.
   */
  async lockAppliancesOf(tx: Executor, customerIds: number[]): Promise<void> {
    await sql`
      select 1 from appliances where manufacturing_number in (
        select manufacturing_number from appliance_registrations where customer_id = any(${customerIds}::bigint[]))
      order by manufacturing_number for update`.execute(tx);
  },
  moveCustomer(tx: Executor, fromId: number, toId: number) {
    return tx
      .updateTable('appliance_registrations')
      .set({ customer_id: toId })
      .where('customer_id', '=', fromId)
      .returning(['id', 'manufacturing_number'])
      .execute();
  },
  moveByIds(tx: Executor, ids: number[], toId: number) {
    if (ids.length === 0) return Promise.resolve([]);
    return tx.updateTable('appliance_registrations').set({ customer_id: toId }).where('id', 'in', ids).returning(['manufacturing_number']).execute();
  },
  /**
   * Erasure: the card number and account are personal data and go; open registrations end,
   * so the appliance asks for a card again. The anonymous usage history stays.
   */
  async eraseCustomer(tx: Executor, customerId: number): Promise<string[]> {
    // Same lock the ingest takes first, so a batch in progress finishes before the link ends.
    await sql`
      select 1 from appliances where manufacturing_number in (
        select manufacturing_number from appliance_registrations where customer_id = ${customerId} and end_seq is null)
      order by manufacturing_number for update`.execute(tx);
    await tx
      .updateTable('appliance_registrations')
      .set({ card_number: null, account: null })
      .where('customer_id', '=', customerId)
      .execute();
    const open = await sql<{ manufacturing_number: string }>`
      update appliance_registrations r set end_seq = a.last_seq + 1, ended_at = now()
      from appliances a
      where r.customer_id = ${customerId} and r.end_seq is null and a.manufacturing_number = r.manufacturing_number
      returning r.manufacturing_number`.execute(tx);
    const mfgs = open.rows.map((r) => r.manufacturing_number);
    if (mfgs.length) {
      await tx
        .updateTable('appliances')
        .set({ registration_id: null, open_use_seq: null, open_use_function: null, open_use_sec: null, open_use_month: null })
        .where('manufacturing_number', 'in', mfgs)
        .execute();
    }
    return mfgs;
  },
};
