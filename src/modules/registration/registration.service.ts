import type { Db, Tx } from '../../platform/db/database.js';
import type { Actor } from '../../platform/auth/principal.js';
import { hashPassword } from '../../platform/auth/passwords.js';
import { AppError, ConflictError, NotFoundError, ValidationError, type FieldProblem } from '../../platform/errors.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CustomersService, PersonalInput } from '../customers/index.js';
import { parseRegistrationNo } from '../customers/index.js';
import { PRODUCT_CATEGORIES, REGISTRATION_FORM } from './registration-form.js';
import { registrationRepository as repo, type RegistrationFilter, type RegistrationRow } from './registration.repository.js';
import type { ProductCategory } from './registration.tables.js';
import { canonicalSerial, SERIAL } from './serial.js';
import { nextDialogueStep, type DialogueAnswers, type DialogueStep } from './registration-dialogue.js';

export interface ProductInput {
  serial: string;
  maker: string;
  model: string;
  category: ProductCategory;
  parentSerial?: string | null;
  details?: Record<string, unknown>;
}

export type RegistrationRequest =
  | { customer: PersonalInput; password: string; emailConsent?: boolean; products: ProductInput[] }
  | { existing: { registrationNo: string; password: string }; products: ProductInput[] };

export interface ProductView {
  id: number;
  customerNumber: string;
  serial: string;
  maker: string;
  model: string;
  category: ProductCategory;
  parentSerial: string | null;
  details: Record<string, unknown>;
  source: string;
  registeredAt: string;
}

export interface RegistrationResult {
  registrationNo: string;
  registrationNoFormatted: string;
  customerNumber: string;
  products: ProductView[];
}

export type CollateStatus = 'available' | 'already_registered' | 'unknown' | 'invalid';

function view(row: RegistrationRow, serialOfId: Map<number, string>): ProductView {
  return {
    id: row.id,
    customerNumber: String(row.customer_id),
    serial: row.serial,
    maker: row.maker,
    model: row.model,
    category: row.category,
    parentSerial: row.parent_id === null ? null : (serialOfId.get(row.parent_id) ?? null),
    details: row.details,
    source: row.source,
    registeredAt: row.registered_at.toISOString(),
  };
}

/**
 * Product registration (R-1 … R-7): collates serials against what is registered and, when the
 * manufacturer imported one, the shipped list; registers a customer's products in one
 * transaction, all or nothing; issues the customer's registration number once.
 */
export class RegistrationService {
  constructor(
    private readonly db: Db,
    private readonly customers: CustomersService,
    private readonly audit: AuditService,
  ) {}

  form() {
    return REGISTRATION_FORM;
  }

  private checkProducts(products: ProductInput[]): { clean: ProductInput[]; problems: FieldProblem[] } {
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    const clean = products.map((p, i) => {
      const serial = canonicalSerial(p.serial);
      if (!SERIAL.test(serial)) problems.push({ field: `products.${i}.serial`, message: 'must be 1–100 letters, digits or . _ / -' });
      else if (seen.has(serial)) problems.push({ field: `products.${i}.serial`, message: 'appears twice' });
      seen.add(serial);
      if (!PRODUCT_CATEGORIES.includes(p.category)) problems.push({ field: `products.${i}.category`, message: 'is not a product category' });
      for (const f of ['maker', 'model'] as const) {
        if (!p[f]?.trim() || p[f].trim().length > 100) problems.push({ field: `products.${i}.${f}`, message: 'must be 1–100 characters' });
      }
      const parentSerial = p.parentSerial ? canonicalSerial(p.parentSerial) : null;
      return { ...p, serial, maker: p.maker?.trim(), model: p.model?.trim(), parentSerial };
    });
    clean.forEach((p, i) => {
      if (p.parentSerial && (p.parentSerial === p.serial || !seen.has(p.parentSerial))) {
        problems.push({ field: `products.${i}.parentSerial`, message: 'must be the serial of another product in this registration' });
      }
    });
    if (products.length === 0) problems.push({ field: 'products', message: 'must list at least one product' });
    return { clean, problems };
  }

  /**
   * The server-led dialogue: the next question for the products the agent found and the
   * answers so far, or the complete request for POST /api/registrations.
   */
  async dialogue(products: ProductInput[], answers: DialogueAnswers): Promise<DialogueStep> {
    const { problems } = this.checkProducts(products);
    if (problems.length) throw new ValidationError(problems);
    return nextDialogueStep(products, answers, { collate: (p) => this.collate(p), checkPersonal: (input) => this.customers.checkPersonal(input) });
  }

  /** Which serials could be registered now (the agent asks before collecting personal info). */
  async collate(products: Pick<ProductInput, 'serial'>[]): Promise<{ serial: string; status: CollateStatus; message: string }[]> {
    const serials = products.map((p) => canonicalSerial(p.serial));
    const valid = serials.filter((s) => SERIAL.test(s));
    const [registered, shippedList, shipped] = await Promise.all([
      repo.findBySerials(this.db, valid),
      repo.hasShippedList(this.db),
      repo.shippedBySerials(this.db, valid),
    ]);
    const taken = new Set(registered.map((r) => r.serial));
    const known = new Set(shipped.map((r) => r.serial));
    return serials.map((serial) => {
      if (!SERIAL.test(serial)) return { serial, status: 'invalid', message: 'This is not a valid serial number' };
      if (taken.has(serial)) return { serial, status: 'already_registered', message: 'This product is already registered' };
      if (shippedList && !known.has(serial)) return { serial, status: 'unknown', message: 'The manufacturer has no product with this serial' };
      return { serial, status: 'available', message: 'Can be registered' };
    });
  }

  /**
   * Registers products for a new customer (personal info + password) or an existing one
   * (registration number + password). Everything happens in one transaction: a refused serial
   * leaves no customer and no product behind.
   */
  async register(actor: Actor, request: RegistrationRequest, ip: string): Promise<RegistrationResult> {
    const { clean, problems } = this.checkProducts(request.products);
    let existingCustomerId: number | null = null;
    let passwordHash: string | undefined;
    if ('customer' in request) {
      for (const field of REGISTRATION_FORM.fields) {
        if (field.required && !request.customer[field.name]?.trim()) problems.push({ field: `customer.${field.name}`, message: 'is required' });
      }
      if (request.password.length < REGISTRATION_FORM.password.minLength) {
        problems.push({ field: 'password', message: `must have at least ${REGISTRATION_FORM.password.minLength} characters` });
      }
    }
    if (problems.length) throw new ValidationError(problems);

    // Refuse a taken serial before spending a password hash on the request; the transaction
    // below still decides races.
    const taken = (await repo.findBySerials(this.db, clean.map((p) => p.serial))).map((r) => r.serial);
    if (taken.length) throw serialTaken(taken);

    if ('existing' in request) {
      const registrationNo = parseRegistrationNo(request.existing.registrationNo);
      let customerId: number | null = null;
      if (registrationNo) customerId = await this.customers.resolveNumber(registrationNo).catch(() => null);
      existingCustomerId = await this.customers.checkPassword(customerId, request.existing.password, {
        account: `portal:${registrationNo ?? request.existing.registrationNo}`,
        ip,
      });
    } else {
      // Hash before the transaction: 40 ms of CPU should not hold a connection and row locks.
      passwordHash = await hashPassword(request.password);
    }

    const shippedList = await repo.hasShippedList(this.db);
    if (shippedList) {
      const known = new Set((await repo.shippedBySerials(this.db, clean.map((p) => p.serial))).map((r) => r.serial));
      const unknown = clean.filter((p) => !known.has(p.serial)).map((p) => p.serial);
      if (unknown.length) {
        throw new AppError(422, 'serial_unknown', `The manufacturer never shipped: ${unknown.join(', ')}`, { serials: unknown });
      }
    }

    return this.db.transaction().execute(async (tx) => {
      let owner: { customerNumber: string; registrationNo: string; registrationNoFormatted: string };
      if (existingCustomerId === null && 'customer' in request) {
        owner = await this.customers.create(actor, request.customer, tx, { portalPasswordHash: passwordHash, source: 'product registration' });
        if (request.emailConsent) await this.customers.recordConsent(actor, Number(owner.customerNumber), 'email', true, 'product registration', tx);
      } else owner = await this.customers.summary(existingCustomerId!, tx);
      const ownerId = Number(owner.customerNumber);
      const inserted = await repo.insertNew(
        tx,
        clean.map((p) => ({
          customer_id: ownerId,
          serial: p.serial,
          maker: p.maker,
          model: p.model,
          category: p.category,
          details: JSON.stringify(p.details ?? {}),
          source: actor.surface === 'portal' ? 'agent' : actor.surface,
        })),
      );
      const taken = clean.map((p) => p.serial).filter((s) => !inserted.some((r) => r.serial === s));
      if (taken.length) throw serialTaken(taken);
      const idOf = new Map(inserted.map((r) => [r.serial, r.id]));
      const links = clean.filter((p) => p.parentSerial).map((p) => ({ id: idOf.get(p.serial)!, parentId: idOf.get(p.parentSerial!)! }));
      await repo.setParents(tx, links);
      const parentOf = new Map(links.map((l) => [l.id, l.parentId]));
      for (const row of inserted) row.parent_id = parentOf.get(row.id) ?? null;
      await this.attachSerials(tx, actor, ownerId, clean.map((p) => p.serial));
      await this.audit.record(tx, {
        actor,
        action: 'product.register',
        customerId: ownerId,
        after: { products: clean.map((p) => `${p.maker} ${p.model} (${p.serial})`) },
        details: { registrationIds: inserted.map((r) => r.id) },
      });
      const serialOfId = new Map(inserted.map((r) => [r.id, r.serial]));
      return {
        registrationNo: owner.registrationNo,
        registrationNoFormatted: owner.registrationNoFormatted,
        customerNumber: owner.customerNumber,
        products: inserted.sort((a, b) => a.id - b.id).map((r) => view(r, serialOfId)),
      };
    });
  }

  private async attachSerials(tx: Tx, actor: Actor, customerId: number, serials: string[]): Promise<void> {
    try {
      await this.customers.addIdentifiers(actor, customerId, 'product_serial', serials, 'product registration', tx);
    } catch (err) {
      if (err instanceof ConflictError && err.code === 'identifier_taken') throw serialTaken([String(err.details?.value ?? serials[0])]);
      throw err;
    }
  }

  /** The update flow starts here: serial read again from the machine + the password. */
  async verifySerialLogin(serial: string, password: string, ip: string): Promise<number> {
    const canonical = canonicalSerial(serial);
    const [row] = SERIAL.test(canonical) ? await repo.findBySerials(this.db, [canonical]) : [];
    return this.customers.checkPassword(row?.customer_id ?? null, password, { account: `serial:${canonical}`, ip });
  }

  async list(filter: RegistrationFilter): Promise<ProductView[]> {
    const rows = await repo.list(this.db, filter);
    return this.withParents(rows);
  }

  async get(id: number): Promise<ProductView & { peripherals: ProductView[] }> {
    const row = await repo.findById(this.db, id);
    if (!row) throw new NotFoundError('product registration', id);
    const children = await repo.childrenOf(this.db, id);
    const [product, ...peripherals] = await this.withParents([row, ...children]);
    return { ...product!, peripherals };
  }

  async productsOf(customerId: number): Promise<ProductView[]> {
    return this.list({ customerId, limit: 1000 });
  }

  async countByCategory() {
    return (await repo.countByCategory(this.db)).map((r) => ({ category: r.category, count: Number(r.count) }));
  }

  private async withParents(rows: RegistrationRow[]): Promise<ProductView[]> {
    const parentIds = [...new Set(rows.map((r) => r.parent_id).filter((x): x is number => x !== null))];
    const parents = await repo.findByIds(this.db, parentIds);
    const serialOfId = new Map([...rows, ...parents].map((r) => [r.id, r.serial]));
    return rows.map((r) => view(r, serialOfId));
  }
}

function serialTaken(serials: string[]): ConflictError {
  return new ConflictError(
    'serial_already_registered',
    `Already registered: ${serials.join(', ')}. Please check the product, or deselect it and try again.`,
    { serials },
  );
}

