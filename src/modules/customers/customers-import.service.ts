import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.js';
import type { Actor } from '../../platform/auth/principal.js';
import type { FieldProblem } from '../../platform/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import { formatRegistrationNo, generateRegistrationNo } from './registration-number.js';
import { cleanPersonal, columnsFor, PERSONAL_FIELDS, type PersonalField, type PersonalInput } from './personal-info.js';

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

export interface ImportBatchResult {
  inserted: number;
  rejected: ImportProblem[];
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'y', 'はい']);
const FALSE_WORDS = new Set(['', '0', 'false', 'no', 'n', 'いいえ']);

/** Reports which columns of a header are not understood; an import with unknown columns is refused. */
export function unknownColumns(header: string[]): string[] {
  return header.filter((h) => !(h in IMPORT_COLUMNS) && !(h in CONSENT_COLUMNS));
}

interface CleanRow {
  line: number;
  values: PersonalInput;
  consent: { channel: 'email' | 'postal_mail'; granted: boolean }[];
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
      for (const [column, field] of Object.entries(IMPORT_COLUMNS)) {
        const v = record.values[column];
        if (v !== undefined) input[field] = v;
      }
      const { values, problems } = cleanPersonal(input);
      const consent: CleanRow['consent'] = [];
      for (const [column, channel] of Object.entries(CONSENT_COLUMNS)) {
        const raw = (record.values[column] ?? '').trim().toLowerCase();
        if (TRUE_WORDS.has(raw)) consent.push({ channel, granted: true });
        else if (!FALSE_WORDS.has(raw)) problems.push({ field: column, message: 'must be true/false, yes/no or 1/0' });
      }
      if (consent.some((c) => c.channel === 'email') && !values.email) {
        problems.push({ field: 'email_consent', message: 'needs an e-mail address' });
      }
      if (problems.length) rejected.push({ line: record.line, reason: 'invalid', problems });
      else clean.push({ line: record.line, values, consent });
    }
    if (clean.length === 0) return { inserted: 0, rejected };

    return this.db.transaction().execute(async (tx) => {
      const fresh = await this.dropKnownEmails(tx, clean, rejected);
      await this.insertRows(tx, actor, fresh, source);
      return { inserted: fresh.length, rejected: rejected.sort((a, b) => a.line - b.line) };
    });
  }

  private async dropKnownEmails(tx: Tx, rows: CleanRow[], rejected: ImportProblem[]): Promise<CleanRow[]> {
    const emails = rows.map((r) => r.values.email).filter((e): e is string => !!e);
    const known = new Set<string>();
    if (emails.length) {
      const found = await sql<{ email: string }>`
        select lower(email::text) as email from customers where email = any(${emails}::citext[])`.execute(tx);
      for (const r of found.rows) known.add(r.email);
    }
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
    let pending = rows.map((row) => ({ row, registrationNo: draw() }));
    const created: { id: number; registrationNo: string; row: CleanRow }[] = [];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 8) throw new Error('could not allocate unique registration numbers');
      const columns = PERSONAL_FIELDS.map((f) => pending.map((p) => p.row.values[f] ?? null));
      const derived = pending.map((p) => columnsFor(p.row.values));
      const result = await sql<{ id: number; registration_no: string }>`
        with input as (
          select * from unnest(
            ${pending.map((p) => p.registrationNo)}::text[],
            ${columns[0]}::text[], ${columns[1]}::text[], ${columns[2]}::text[], ${columns[3]}::text[],
            ${columns[4]}::text[], ${columns[5]}::text[], ${columns[6]}::text[], ${columns[7]}::text[],
            ${columns[8]}::date[], ${columns[9]}::text[], ${columns[10]}::text[], ${columns[11]}::text[],
            ${derived.map((d) => d.search_name ?? '')}::text[], ${derived.map((d) => d.phone_digits ?? null)}::text[]
          ) as t(registration_no, name, name_reading, postal_code, prefecture, city, address_line1, address_line2,
                 phone, birth_date, occupation, email, nickname, search_name, phone_digits)
        ), inserted as (
          insert into customers (registration_no, name, name_reading, postal_code, prefecture, city, address_line1,
                                 address_line2, phone, birth_date, occupation, email, nickname, search_name, phone_digits)
          select * from input
          on conflict (registration_no) do nothing
          returning id, registration_no
        ), identifiers as (
          insert into customer_identifiers (customer_id, kind, value, source)
          select id, 'registration_no', registration_no, 'issued' from inserted
        )
        select id, registration_no from inserted`.execute(tx);
      const byNo = new Map(result.rows.map((r) => [r.registration_no, r.id]));
      const retry: typeof pending = [];
      for (const p of pending) {
        const id = byNo.get(p.registrationNo);
        if (id === undefined) retry.push({ row: p.row, registrationNo: draw() });
        else created.push({ id, registrationNo: p.registrationNo, row: p.row });
      }
      pending = retry;
    }

    const consents = created.flatMap((c) => c.row.consent.filter((x) => x.granted).map((x) => ({ id: c.id, channel: x.channel })));
    if (consents.length) {
      await sql`
        with events as (
          insert into consent_events (customer_id, channel, granted, source, surface)
          select id, channel, true, ${source}, ${actor.surface}
          from unnest(${consents.map((c) => c.id)}::bigint[], ${consents.map((c) => c.channel)}::text[]) as t(id, channel)
          returning id, customer_id, channel, granted, at
        )
        insert into customer_consents (customer_id, channel, granted, event_id, at)
        select customer_id, channel, granted, id, at from events`.execute(tx);
    }
    await this.audit.recordMany(
      tx,
      created.map((c) => ({
        actor,
        action: 'customer.create',
        customerId: c.id,
        after: Object.fromEntries(Object.entries(c.row.values).filter(([, v]) => v !== null)),
        details: { source },
      })),
    );
  }

  /** Streams every customer in id order, in pages, as CSV-ready records. */
  async *exportPages(pageSize = 5000): AsyncGenerator<Record<string, string>[]> {
    let after = 0;
    for (;;) {
      const rows = await sql<Record<string, unknown>>`
        select c.*, ce.granted as email_consent, cp.granted as postal_mail_consent
        from customers c
        left join customer_consents ce on ce.customer_id = c.id and ce.channel = 'email'
        left join customer_consents cp on cp.customer_id = c.id and cp.channel = 'postal_mail'
        where c.id > ${after} and c.status <> 'merged'
        order by c.id limit ${pageSize}`.execute(this.db);
      if (rows.rows.length === 0) return;
      after = Number(rows.rows[rows.rows.length - 1]!.id);
      yield rows.rows.map((r) => {
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
    const r = await sql<{ n: number }>`select count(*)::bigint as n from customers where status <> 'merged'`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }
}
