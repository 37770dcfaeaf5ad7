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
  /** Set on an entry about many customers at once (a bulk import): every one of them. */
  customer_ids: ColumnType<(number | string)[] | null, number[] | null | undefined, never>;
  before: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  after: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
  details: JSONColumnType<Record<string, unknown> | null, string | null, string | null>;
}

export interface AuditTables {
  audit_log: AuditLogTable;
}
