import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type ActorType = 'staff' | 'customer' | 'api_key' | 'system';

export interface AuditLogTable {
  id: Generated<number>;
  at: ColumnType<Date, Date | undefined, never>;
  actor_type: ActorType;
  actor_id: string | null;
  actor_label: string | null;
  surface: string;
  action: string;
  customer_id: number | null;
  before: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  after: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  details: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
}

/** The customers an entry about many customers at once (a bulk import batch) is about. */
export interface AuditLogCustomersTable {
  customer_id: number;
  audit_id: number;
  /** The customer's index in the entry's per-customer details. */
  position: number;
}

export interface AuditTables {
  audit_log: AuditLogTable;
  audit_log_customers: AuditLogCustomersTable;
}
