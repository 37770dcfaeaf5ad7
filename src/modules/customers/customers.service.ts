import type { RawBuilder } from 'kysely';
import type { Db, Executor, Tx } from '../../platform/db/database.js';
import type { Actor } from '../../platform/auth/principal.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../../platform/auth/passwords.js';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationError, type FieldProblem } from '../../platform/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { LoginThrottle } from '../access/login-throttle.service.js';
import { customersRepository as repo, type CustomerRow } from './customers.repository.js';
import type { ConsentChannel, IdentifierKind } from './customers.tables.js';
import { customerView, summaryView, type CustomerSummary, type CustomerView } from './customer-views.js';
import { canonicalEmail, canonicalIdentifier, digitsOf, nameKeysOf, nameQueryTiers } from './normalise.js';
import { cleanPersonal, columnsFor, personalOf, PERSONAL_FIELDS, type PersonalInput } from './personal-info.js';
import { formatRegistrationNo, generateRegistrationNo, isValidRegistrationNo, parseRegistrationNo } from './registration-number.js';
import type { Personal } from './personal-info.js';

export const IDENTIFIER_KINDS: readonly IdentifierKind[] = [
  'registration_no',
  'product_serial',
  'member_card',
  'card_uid',
  'appliance_mfg_no',
  'web_user_id',
  'web_anonymous_id',
  'email',
  'phone',
];

export interface MessagingProfile {
  customerNumber: string;
  registrationNo: string;
  registrationNoFormatted: string;
  status: string;
  rank: string;
  personal: Personal;
  consent: Record<ConsentChannel, boolean>;
}

export interface SearchOptions {
  limit?: number;
}

/**
 * The customer identity core: personal info, identifiers, consent, search. Merge, export and
 * erasure live in their own services; every write here is audited in its transaction.
 */
export class CustomersService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottle,
  ) {}

  // ---- reading ----

  /** Resolves a customer number (or a registration number) typed by a person to an id. */
  async resolveNumber(text: string, tx: Executor = this.db): Promise<number> {
    const trimmed = text.normalize('NFKC').trim();
    if (/^\d{1,15}$/.test(trimmed) && Number(trimmed) <= Number.MAX_SAFE_INTEGER) {
      const row = await repo.findById(tx, Number(trimmed));
      if (row) return row.id;
    }
    const registrationNo = parseRegistrationNo(trimmed);
    if (registrationNo) {
      const row = await repo.findByRegistrationNo(tx, registrationNo);
      if (row) return row.id;
    }
    throw new NotFoundError('customer', text);
  }

  async getRow(id: number, tx: Executor = this.db): Promise<CustomerRow> {
    const row = await repo.findById(tx, id);
    if (!row) throw new NotFoundError('customer', id);
    return row;
  }

  /** What is wrong with these personal fields, field by field, as create and update would say it. */
  checkPersonal(input: PersonalInput): FieldProblem[] {
    return cleanPersonal(input).problems;
  }

  /** Number, registration number, name and contact: what a list or a receipt shows, in one read. */
  async summary(id: number, tx: Executor = this.db): Promise<CustomerSummary> {
    return summaryView(await this.getRow(id, tx));
  }

  async get(id: number, tx: Executor = this.db): Promise<CustomerView> {
    const row = await this.getRow(id, tx);
    const [identifiers, consents, held] = await Promise.all([
      repo.identifiersOf(tx, id),
      repo.currentConsentOf(tx, id),
      repo.registrationNumbersHeld(tx, id),
    ]);
    return customerView(row, identifiers, consents, held);
  }

  /** An active customer, or a 409 saying what became of it (merged: where to; erased). */
  async getActiveRow(id: number, tx: Executor = this.db): Promise<CustomerRow> {
    return assertActive(await this.getRow(id, tx));
  }

  /**
   * Search by name or reading (partial, kana-insensitive, typo-tolerant), phone, e-mail,
   * customer or registration number, or any identifier value. Empty query: recently changed.
   */
  async search(q: string, options: SearchOptions = {}): Promise<CustomerSummary[]> {
    const limit = Math.min(Math.max(options.limit ?? 20, 1), 100);
    const query = q.normalize('NFKC').trim();
    if (!query) return (await repo.recent(this.db, limit)).map((r) => summaryView(r));

    const results = new Map<number, CustomerSummary>();
    const add = (rows: Parameters<typeof summaryView>[0][], matchedOn: string) => {
      for (const r of rows) if (!results.has(r.id) && results.size < limit) results.set(r.id, summaryView(r, matchedOn));
    };

    // Exact identifiers first: a serial, card number or e-mail typed in full is the best match.
    // Registration numbers are not identifier rows: the customer with the number holds it, or
    // the record it was merged into. The row also serves the exact-number match below.
    const identifierValues = [...new Set(IDENTIFIER_KINDS.map((k) => canonicalIdentifier(k, query)).filter(Boolean))];
    const numberDigits = canonicalIdentifier('registration_no', query);
    const identifierHits = await repo.findIdentifierValues(this.db, identifierValues);
    const byNumber = isValidRegistrationNo(numberDigits) ? await repo.findByRegistrationNo(this.db, numberDigits) : undefined;
    const holders = new Set(identifierHits.map((h) => h.customer_id));
    if (byNumber?.status === 'merged') {
      const holder = await repo.holderOfRegistrationNo(this.db, numberDigits);
      if (holder !== null) holders.add(holder);
    }
    const numberHolder = byNumber?.status === 'active' ? [byNumber] : [];
    if (byNumber) holders.delete(byNumber.id);
    const holderRows = holders.size ? await repo.summariesByIds(this.db, [...holders]) : [];
    add([...numberHolder, ...holderRows], 'identifier');

    const digits = digitsOf(query);
    const looksNumeric = /^[\d\s+()-]+$/.test(query) && digits.length > 0;
    if (looksNumeric) {
      const registrationNo = parseRegistrationNo(query);
      const exact = [];
      if (registrationNo) exact.push(registrationNo === numberDigits ? byNumber : await repo.findByRegistrationNo(this.db, registrationNo));
      if (digits.length <= 15 && Number(digits) <= Number.MAX_SAFE_INTEGER) exact.push(await repo.findById(this.db, Number(digits)));
      add(exact.filter((r): r is CustomerRow => !!r), 'number');
      if (digits.length >= 4) add(await repo.searchByPhonePrefix(this.db, digits, limit), 'phone');
      return [...results.values()];
    }
    if (query.includes('@')) {
      const email = canonicalEmail(query);
      add(await repo.searchByEmailPrefix(this.db, (email ?? query).toLowerCase(), limit), 'email');
      return [...results.values()];
    }
    // Something like the start of an e-mail address (ASCII, no spaces): try that too.
    if (/^[\x21-\x7e]{3,}$/.test(query)) add(await repo.searchByEmailPrefix(this.db, query.toLowerCase(), limit), 'email');
    // A full page of e-mail matches: a name search could only add rows that don't fit.
    if (results.size >= limit) return [...results.values()];
    for (const row of await repo.searchByNameKeys(this.db, nameQueryTiers(query), limit)) add([row], row.match);
    return [...results.values()];
  }

  /**
   * Computes the name keys of customers stored before they existed (after the upgrade that
   * added them), in batches; until then those customers are not found by name. Run at start,
   * before the surfaces listen. Returns how many were keyed.
   */
  async backfillNameKeys(onProgress?: (done: number, total: number) => void, batchSize = 5_000): Promise<number> {
    const total = await repo.countWithoutNameKeys(this.db);
    let done = 0;
    let after = 0;
    while (total > 0) {
      const rows = await repo.withoutNameKeys(this.db, after, batchSize);
      if (rows.length === 0) break;
      await repo.setNameKeys(
        this.db,
        rows.map((r) => r.id),
        rows.map((r) => nameKeysOf(r.name, r.name_reading)),
      );
      after = rows.at(-1)!.id;
      done += rows.length;
      onProgress?.(done, total);
    }
    return done;
  }

  /** Exact lookup by customer number, registration number or any identifier (counter staff, partners). */
  async lookup(text: string): Promise<CustomerView> {
    try {
      return await this.get(await this.resolveNumber(text));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    const values = [...new Set(IDENTIFIER_KINDS.map((k) => canonicalIdentifier(k, text)).filter(Boolean))];
    const hits = await repo.findIdentifierValues(this.db, values);
    const owners = [...new Set(hits.map((h) => h.customer_id))];
    if (owners.length !== 1) throw new NotFoundError('customer', text);
    return this.get(owners[0]!);
  }

  /** Who holds this identifier, if anyone. */
  async resolveIdentifier(kind: IdentifierKind, value: string, tx: Executor = this.db): Promise<number | null> {
    const canonical = canonicalIdentifier(kind, value);
    if (kind === 'registration_no') return this.registrationNoHolder(canonical, tx);
    const row = await repo.findIdentifier(tx, kind, canonical);
    return row?.customer_id ?? null;
  }

  /** Registration numbers live in customers, not in customer_identifiers: who holds this one. */
  private async registrationNoHolder(digits: string, tx: Executor = this.db): Promise<number | null> {
    if (!isValidRegistrationNo(digits)) return null;
    return repo.holderOfRegistrationNo(tx, digits);
  }

  // ---- writing ----

  /**
   * Creates a customer with a fresh user registration number. Runs in the caller's
   * transaction when given one (other modules create customers as part of their own work).
   */
  async create(
    actor: Actor,
    input: PersonalInput,
    tx?: Tx,
    options: { portalPasswordHash?: string; source?: string } = {},
  ): Promise<CustomerView> {
    const { values, problems } = cleanPersonal(input);
    if (problems.length) throw new ValidationError(problems);
    const run = async (t: Tx) => {
      let row: CustomerRow | undefined;
      for (let attempt = 0; !row; attempt++) {
        if (attempt === 8) throw new Error('could not allocate a unique registration number');
        row = await repo.insertUnlessNumberTaken(t, {
          registration_no: generateRegistrationNo(),
          ...columnsFor(values),
          portal_password_hash: options.portalPasswordHash ?? null,
        });
      }
      const after = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
      await this.audit.record(t, {
        actor,
        action: 'customer.create',
        customerId: row.id,
        before: null,
        after,
        details: options.source ? { source: options.source } : null,
      });
      // A new customer holds no identifiers or consent yet, and only its own number: the view
      // needs no further reads.
      return customerView(row, [], [], [{ id: row.id, registration_no: row.registration_no, created_at: row.created_at }]);
    };
    return tx ? run(tx) : this.db.transaction().execute(run);
  }

  /** Saves only the fields that changed and audits exactly those. A no-op change writes nothing. */
  async update(actor: Actor, id: number, input: PersonalInput, tx?: Tx): Promise<CustomerView> {
    const { values, problems } = cleanPersonal(input);
    if (problems.length) throw new ValidationError(problems);
    const run = async (t: Tx) => {
      const [row] = await repo.lockByIds(t, [id]);
      if (!row) throw new NotFoundError('customer', id);
      await this.getActiveRow(id, t);
      const current = personalOf(row);
      const changed: PersonalInput = {};
      for (const field of PERSONAL_FIELDS) {
        if (field in values && values[field] !== current[field]) changed[field] = values[field] ?? null;
      }
      const fields = Object.keys(changed) as (keyof PersonalInput)[];
      if (fields.length === 0) return this.get(id, t);
      await repo.update(t, id, { ...columnsFor(changed, current), updated_at: new Date() });
      await this.audit.record(t, {
        actor,
        action: 'customer.update',
        customerId: id,
        before: Object.fromEntries(fields.map((f) => [f, current[f]])),
        after: Object.fromEntries(fields.map((f) => [f, changed[f]])),
      });
      return this.get(id, t);
    };
    return tx ? run(tx) : this.db.transaction().execute(run);
  }

  /**
   * Attaches an identifier. Idempotent for the same customer; refused with `identifier_taken`
   * when another customer holds it. The unique constraint decides races.
   */
  async addIdentifier(
    actor: Actor,
    customerId: number,
    kind: IdentifierKind,
    value: string,
    source: string,
    tx?: Tx,
  ): Promise<{ id: number; kind: string; value: string; source: string; createdAt: string; created: boolean }> {
    const [canonical] = checkedIdentifiers(kind, [value]) as [string];
    const run = async (t: Tx) => {
      await this.getActiveRow(customerId, t);
      const { row, created } = await repo.attachIdentifier(t, { customer_id: customerId, kind, value: canonical, source });
      if (row.customer_id !== customerId) {
        throw new ConflictError('identifier_taken', `This ${kind} belongs to another customer`, {
          kind,
          customerNumber: String(row.customer_id),
        });
      }
      if (created) {
        await this.audit.record(t, {
          actor,
          action: 'identifier.add',
          customerId,
          after: { kind, value: canonical },
          details: { identifierId: row.id, source },
        });
      }
      return { id: row.id, kind: row.kind, value: row.value, source: row.source, createdAt: row.created_at.toISOString(), created };
    };
    return tx ? run(tx) : this.db.transaction().execute(run);
  }

  /**
   * Attaches several identifiers of one kind in one go (a registration's serials): one read of
   * the customer, one insert, one audit statement. Idempotent for identifiers the customer
   * already holds; `identifier_taken` when another customer holds one (the caller's transaction
   * then rolls back).
   */
  async addIdentifiers(actor: Actor, customerId: number, kind: IdentifierKind, values: string[], source: string, tx: Tx): Promise<void> {
    const canonical = [...new Set(checkedIdentifiers(kind, values))];
    if (canonical.length === 0) return;
    await this.getActiveRow(customerId, tx);
    const { inserted, existing } = await repo.attachIdentifiers(tx, canonical.map((value) => ({ customer_id: customerId, kind, value, source })));
    const other = existing.find((r) => r.customer_id !== customerId);
    if (other) {
      throw new ConflictError('identifier_taken', `This ${kind} belongs to another customer`, { kind, value: other.value, customerNumber: String(other.customer_id) });
    }
    await this.audit.recordAll(
      tx,
      inserted.map((row) => ({ actor, action: 'identifier.add', customerId, after: { kind, value: row.value }, details: { identifierId: row.id, source } })),
    );
  }

  async removeIdentifier(actor: Actor, customerId: number, identifierId: number): Promise<void> {
    await this.db.transaction().execute(async (t) => {
      await this.getActiveRow(customerId, t);
      const removed = await repo.deleteIdentifier(t, customerId, identifierId);
      if (!removed) throw new NotFoundError('identifier', identifierId);
      if (removed.kind === 'registration_no') {
        throw new ValidationError([{ field: 'identifierId', message: 'a registration number cannot be removed' }]);
      }
      await this.audit.record(t, {
        actor,
        action: 'identifier.remove',
        customerId,
        before: { kind: removed.kind, value: removed.value },
        details: { identifierId },
      });
    });
  }

  /** Appends to the consent ledger and updates the current state in the same transaction. */
  async setConsent(
    actor: Actor,
    customerId: number,
    channel: ConsentChannel,
    granted: boolean,
    source: string,
    tx?: Tx,
  ): Promise<CustomerView> {
    const run = async (t: Tx) => {
      await this.recordConsent(actor, customerId, channel, granted, source, t);
      return this.get(customerId, t);
    };
    return tx ? run(tx) : this.db.transaction().execute(run);
  }

  /**
   * setConsent without reading the customer back, for work that records consent as one step of
   * its own transaction. Returns whether anything changed (a repeated request changes nothing).
   */
  async recordConsent(actor: Actor, customerId: number, channel: ConsentChannel, granted: boolean, source: string, tx: Tx): Promise<boolean> {
    const [row] = await repo.lockByIds(tx, [customerId]);
    if (!row) throw new NotFoundError('customer', customerId);
    assertActive(row);
    const current = (await repo.currentConsentOf(tx, customerId)).find((c) => c.channel === channel);
    if (current?.granted === granted) return false;
    const event = await repo.appendConsent(tx, { customer_id: customerId, channel, granted, source, surface: actor.surface });
    await repo.setCurrentConsent(tx, customerId, channel, granted);
    await this.audit.record(tx, {
      actor,
      action: 'consent.change',
      customerId,
      before: { [channel]: current?.granted ?? null },
      after: { [channel]: granted },
      details: { source, eventId: event.id },
    });
    return true;
  }

  async consentHistory(customerId: number) {
    const rows = await repo.consentEventsOf(this.db, customerId);
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      granted: r.granted,
      source: r.source,
      surface: r.surface,
      at: r.at.toISOString(),
    }));
  }

  // ---- for messaging and analytics: sets of customers ----

  /**
   * The ids of active customers matching a condition about `c` (a customers row), as a
   * subquery other modules embed (segments). The condition comes from segment criteria.
   */
  segmentIdsSql(condition: RawBuilder<boolean>): RawBuilder<{ id: number }> {
    return repo.segmentIdsSql(condition);
  }

  /** What a message needs about many customers at once: personal info, numbers, current consent. */
  async messagingProfiles(ids: number[]): Promise<Map<number, MessagingProfile>> {
    const out = new Map<number, MessagingProfile>();
    if (ids.length === 0) return out;
    const rows = await repo.findByIds(this.db, ids);
    for (const row of rows) {
      out.set(row.id, {
        customerNumber: String(row.id),
        registrationNo: row.registration_no,
        registrationNoFormatted: formatRegistrationNo(row.registration_no),
        status: row.status,
        rank: row.rank,
        personal: personalOf(row),
        consent: { email: row.email_consent, postal_mail: row.postal_mail_consent },
      });
    }
    return out;
  }

  // ---- portal credentials ----

  async setPortalPassword(actor: Actor, customerId: number, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new ValidationError([{ field: 'password', message: `must have at least ${MIN_PASSWORD_LENGTH} characters` }]);
    }
    const passwordHash = await hashPassword(password);
    await this.db.transaction().execute(async (t) => {
      await this.getActiveRow(customerId, t);
      await repo.update(t, customerId, { portal_password_hash: passwordHash, updated_at: new Date() });
      await this.audit.record(t, { actor, action: 'customer.portal_password_set', customerId });
    });
  }

  /**
   * Checks a customer's portal password, throttled per IP and per account. `customerId` may be
   * null (unknown login): the check still costs the same time and counts as a failure. The
   * account is the customer when the login names one, so a serial, a registration number and
   * an e-mail address of one customer share one counter; a login that names nobody gets its own.
   */
  async checkPassword(customerId: number | null, password: string, subject: { account: string; ip: string }): Promise<number> {
    const account = customerId === null ? subject.account : `customer:${customerId}`;
    let verified: number | null = null;
    const ok = await this.throttle.guard({ account, ip: subject.ip }, async () => {
      const row = customerId === null ? undefined : await repo.findById(this.db, customerId);
      const valid = await verifyPassword(row?.portal_password_hash, password);
      if (valid && row?.status === 'active') verified = row.id;
      return verified !== null;
    });
    if (!ok || verified === null) throw new UnauthenticatedError('invalid_credentials', 'Wrong number or password');
    return verified;
  }

  /** A customer's portal login: registration number (or e-mail identifier) + password. */
  async verifyPortalLogin(login: string, password: string, ip: string): Promise<number> {
    const registrationNo = parseRegistrationNo(login);
    let customerId: number | null;
    if (registrationNo) customerId = (await repo.findByRegistrationNo(this.db, registrationNo))?.id ?? null;
    else customerId = await this.resolveIdentifier('email', login);
    return this.checkPassword(customerId, password, { account: `portal:${login.normalize('NFKC').trim().toLowerCase()}`, ip });
  }
}

/** The canonical forms of identifiers to attach, or a 400 naming what is wrong with them. */
function checkedIdentifiers(kind: IdentifierKind, values: string[]): string[] {
  const canonical = values.map((v) => canonicalIdentifier(kind, v));
  const problems = [];
  if (!IDENTIFIER_KINDS.includes(kind)) problems.push({ field: 'kind', message: 'is not an identifier kind' });
  if (canonical.some((v) => !v || v.length > 200)) problems.push({ field: 'value', message: 'must be 1–200 characters' });
  if (kind === 'email' && values.some((v) => !canonicalEmail(v))) problems.push({ field: 'value', message: 'is not a valid e-mail address' });
  if (kind === 'registration_no') problems.push({ field: 'kind', message: 'registration numbers are issued, not attached' });
  if (problems.length) throw new ValidationError(problems);
  return canonical;
}

/** The row of an active customer, or a 409 saying what became of it (merged: where to; erased). */
function assertActive(row: CustomerRow): CustomerRow {
  if (row.status === 'merged') {
    throw new ConflictError('customer_merged', `Customer ${row.id} was merged into ${row.merged_into}`, {
      mergedInto: String(row.merged_into),
    });
  }
  if (row.status === 'erased') throw new ConflictError('customer_erased', `Customer ${row.id} was erased`);
  return row;
}
