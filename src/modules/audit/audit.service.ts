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

function view(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    surface: row.surface,
    action: row.action,
    customerId: row.customer_id,
    before: row.before,
    after: row.after,
    details: row.details,
  };
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

  async recordMany(tx: Executor, inputs: AuditInput[]): Promise<void> {
    await repo.insertMany(tx, inputs.map(rowOf));
  }

  async get(id: number, tx: Executor = this.db): Promise<AuditEntry> {
    const row = await repo.findById(tx, id);
    if (!row) throw new NotFoundError('audit entry', id);
    return view(row);
  }

  async forCustomer(customerId: number, limit = 50, beforeId?: number, tx: Executor = this.db): Promise<AuditEntry[]> {
    return (await repo.listForCustomer(tx, customerId, limit, beforeId)).map(view);
  }

  async findByAction(action: string, detailsMatch: Record<string, unknown>, tx: Executor = this.db): Promise<AuditEntry[]> {
    return (await repo.findByAction(tx, action, detailsMatch)).map(view);
  }

  async redactCustomer(tx: Executor, customerId: number): Promise<void> {
    await repo.redactValuesForCustomer(tx, customerId);
  }
}
