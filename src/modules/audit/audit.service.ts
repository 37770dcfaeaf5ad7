import type { Selectable } from 'kysely';
import type { Db, Executor } from '../../platform/db/database.js';
import type { Actor } from '../../platform/auth/principal.js';
import { NotFoundError } from '../../platform/errors.js';
import { auditRepository as repo } from './audit.repository.js';
import type { AuditLogTable } from './audit.tables.js';

export interface AuditInput {
  actor: Actor;
  action: string;
  customerId?: number | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
  details?: Record<string, unknown> | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: { type: string; id: string | null; label: string | null };
  surface: string;
  action: string;
  customerId: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
}

/** Key in the details of an entry about many customers: per-customer values, in the order of its customers. */
const PER_CUSTOMER = 'perCustomer';

/**
 * An entry as the API shows it. An entry about many customers (a bulk import), read as part
 * of one customer's history (`position` given), reads as an entry about that customer: its
 * details carry that customer's own values (e.g. the line in the file), not the whole batch's.
 */
function view(row: Selectable<AuditLogTable>, forCustomer?: { id: number; position: number | null }): AuditEntry {
  let customerId = row.customer_id;
  let details = row.details;
  if (forCustomer && forCustomer.position !== null) {
    const { [PER_CUSTOMER]: perCustomer, ...shared } = (details ?? {}) as Record<string, unknown>;
    const own = Object.entries((perCustomer ?? {}) as Record<string, unknown[]>).map(([k, values]) => [
      k,
      values[forCustomer.position!] ?? null,
    ]);
    customerId = forCustomer.id;
    details = { ...shared, ...Object.fromEntries(own) };
  }
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    surface: row.surface,
    action: row.action,
    customerId,
    before: row.before,
    after: row.after,
    details,
  };
}

export interface AuditBatchInput {
  actor: Actor;
  action: string;
  customerIds: number[];
  details?: Record<string, unknown>;
  /** Values that differ per customer (e.g. the line of the file), in the order of customerIds. */
  perCustomer?: Record<string, unknown[]>;
}

const json = (v: Record<string, unknown> | null | undefined) => (v == null ? null : JSON.stringify(v));

function rowOf(input: AuditInput) {
  return {
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    actor_label: input.actor.label,
    surface: input.actor.surface,
    action: input.action,
    customer_id: input.customerId ?? null,
    before: json(input.before),
    after: json(input.after),
    details: json(input.details),
  };
}

/** The audit trail of changes to customer data. Writers pass their transaction so the entry commits with the change. */
export class AuditService {
  constructor(private readonly db: Db) {}

  async record(tx: Executor, input: AuditInput): Promise<number> {
    return (await repo.insert(tx, rowOf(input))).id;
  }

  /** Several entries in one statement (e.g. each identifier a registration attached), in order. */
  async recordAll(tx: Executor, inputs: AuditInput[]): Promise<void> {
    if (inputs.length) await repo.insertAll(tx, inputs.map(rowOf));
  }

  /**
   * One entry about many customers (a bulk import batch): one narrow link row per customer
   * instead of an entry with three index entries each. It shows in each customer's
   * history (`forCustomer`) with that customer's own `perCustomer` values.
   */
  async recordForMany(tx: Executor, input: AuditBatchInput): Promise<number | null> {
    if (input.customerIds.length === 0) return null;
    const details = {
      ...input.details,
      customers: input.customerIds.length,
      ...(input.perCustomer ? { [PER_CUSTOMER]: input.perCustomer } : {}),
    };
    return repo.insertForMany(tx, rowOf({ actor: input.actor, action: input.action, details }), input.customerIds);
  }

  async get(id: number, tx: Executor = this.db): Promise<AuditEntry> {
    const row = await repo.findById(tx, id);
    if (!row) throw new NotFoundError('audit entry', id);
    return view(row);
  }

  async forCustomer(customerId: number, limit = 50, beforeId?: number, tx: Executor = this.db): Promise<AuditEntry[]> {
    const rows = await repo.listForCustomer(tx, customerId, limit, beforeId);
    return rows.map(({ position, ...row }) => view(row, { id: customerId, position }));
  }

  async redactCustomer(tx: Executor, customerId: number): Promise<void> {
    await repo.redactValuesForCustomer(tx, customerId);
  }
}
