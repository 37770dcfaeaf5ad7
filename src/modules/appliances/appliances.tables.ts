import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type ProductType = 'washer' | 'microwave' | 'dvd_recorder' | 'rice_cooker' | 'air_conditioner' | 'pc' | 'other';
export type RegistrationSource = 'ic_card' | 'home_network';
export type BillLineKind = 'base' | 'usage' | 'late_usage' | 'discount';

/** numeric columns arrive from pg as strings. */
type Numeric = ColumnType<string, string | number | undefined, string | number>;

export interface AdditionalCode {
  code: string;
  name: string;
  unit: string;
}

export interface ApplianceModelsTable {
  model: string;
  product_type: ProductType;
  name: string;
  additional_codes: JSONColumnType<AdditionalCode[], string | undefined, string>;
  basic_functions: ColumnType<string[], string[] | undefined, string[]>;
  monthly_base_yen: ColumnType<number, number | undefined, number>;
  discount_threshold_minutes: number | null;
  discount_percent: Numeric;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ApplianceFunctionsTable {
  model: string;
  code: string;
  name: string;
  per_use_yen: Numeric;
  per_minute_yen: Numeric;
}

export interface AppliancesTable {
  manufacturing_number: string;
  model: string;
  secret_sha256: Buffer;
  imported_at: ColumnType<Date, Date | undefined, Date>;
  registration_id: number | null;
  last_seq: ColumnType<number, number | undefined, number>;
  last_seen_at: Date | null;
  open_use_seq: number | null;
  open_use_function: string | null;
  open_use_sec: number | null;
  open_use_month: string | null;
}

export interface ApplianceRegistrationsTable {
  id: Generated<number>;
  manufacturing_number: string;
  model: string;
  customer_id: number;
  card_number: string | null;
  account: string | null;
  area: ColumnType<string, string | undefined, string>;
  source: RegistrationSource;
  first_seq: number;
  end_seq: number | null;
  registered_at: Date;
  ended_at: Date | null;
}

export interface ApplianceRecordsTable {
  manufacturing_number: string;
  seq: number;
  kind: number;
  at: Date;
  received_at: ColumnType<Date, Date | undefined, never>;
  function_code: string | null;
  param_code: string | null;
  param_value: number | null;
  duration_sec: number | null;
  continued: ColumnType<boolean, boolean | undefined, boolean>;
  use_seq: number | null;
  bill_month: string | null;
}

export interface ApplianceUsageMonthlyTable {
  registration_id: number;
  function_code: string;
  usage_month: string;
  bill_month: string;
  model: string;
  uses: number;
  total_sec: number;
  billable_min: number;
  last_use_at: Date | null;
}

export interface ApplianceFunctionMonthlyTable {
  model: string;
  function_code: string;
  usage_month: string;
  area: string;
  uses: number;
  total_sec: number;
}

export interface ApplianceDurationHistogramTable {
  model: string;
  function_code: string;
  usage_month: string;
  bucket: number;
  uses: number;
}

export interface ApplianceTimeHistogramTable {
  model: string;
  function_code: string;
  usage_month: string;
  weekday: number;
  hour: number;
  uses: number;
}

export interface ApplianceBillingMonthsTable {
  month: string;
  closed_at: ColumnType<Date, Date | undefined, never>;
  closed_by: string;
}

export interface ApplianceBillsTable {
  id: Generated<number>;
  number: string;
  customer_id: number;
  month: string;
  subtotal_yen: number;
  discount_yen: number;
  total_yen: number;
  issued_at: ColumnType<Date, Date | undefined, never>;
  paid_at: Date | null;
}

export interface ApplianceBillLinesTable {
  bill_id: number;
  position: number;
  kind: BillLineKind;
  manufacturing_number: string;
  model: string;
  function_code: string | null;
  usage_month: string | null;
  uses: number;
  billable_min: number;
  description: string;
  amount_yen: number;
}

/** Scope of the user rollups: 'all', 'type:<product type>' or 'model:<model>'. */
export interface ApplianceFunctionUsersTable {
  scope: string;
  function_code: string;
  customer_id: number;
  months: string[];
}

export interface ApplianceUserRollupsEpochTable {
  id: boolean;
  epoch: number;
}

export interface ApplianceRecalculationsTable {
  id: Generated<number>;
  from_month: string | null;
  to_month: string | null;
  requested_by: string;
  requested_at: ColumnType<Date, Date | undefined, never>;
  started_at: Date | null;
  finished_at: Date | null;
  changed_rows: number | null;
  error: string | null;
}

export interface AppliancesTables {
  appliance_models: ApplianceModelsTable;
  appliance_functions: ApplianceFunctionsTable;
  appliances: AppliancesTable;
  appliance_registrations: ApplianceRegistrationsTable;
  appliance_records: ApplianceRecordsTable;
  appliance_usage_monthly: ApplianceUsageMonthlyTable;
  appliance_function_monthly: ApplianceFunctionMonthlyTable;
  appliance_duration_histogram: ApplianceDurationHistogramTable;
  appliance_time_histogram: ApplianceTimeHistogramTable;
  appliance_billing_months: ApplianceBillingMonthsTable;
  appliance_bills: ApplianceBillsTable;
  appliance_bill_lines: ApplianceBillLinesTable;
  appliance_recalculations: ApplianceRecalculationsTable;
  appliance_function_users: ApplianceFunctionUsersTable;
  appliance_user_rollups_epoch: ApplianceUserRollupsEpochTable;
}
