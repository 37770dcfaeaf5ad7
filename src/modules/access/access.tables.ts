import type { ColumnType, Generated } from 'kysely';

export type StaffRole = 'admin' | 'sales' | 'store' | 'facility' | 'partner';
export type ApiKeyKind = 'store_terminal' | 'reader' | 'device' | 'tracker' | 'partner';

export interface StaffAccountsTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: StaffRole;
  store_id: number | null;
  facility_id: number | null;
  partner_id: number | null;
  password_hash: string;
  disabled_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

export interface SessionsTable {
  id_hash: Buffer;
  surface: 'console' | 'portal' | 'partner';
  staff_id: number | null;
  customer_id: number | null;
  csrf_token: string;
  created_at: ColumnType<Date, never, never>;
  expires_at: Date;
}

export interface ApiKeysTable {
  id: Generated<number>;
  key_id: string;
  secret_hash: Buffer;
  kind: ApiKeyKind;
  label: string;
  store_id: number | null;
  facility_id: number | null;
  partner_id: number | null;
  created_by: number | null;
  created_at: ColumnType<Date, never, never>;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface AuthFailuresTable {
  id: Generated<number>;
  key: string;
  at: ColumnType<Date, Date | undefined, never>;
}

export interface AccessTables {
  staff_accounts: StaffAccountsTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  auth_failures: AuthFailuresTable;
}
