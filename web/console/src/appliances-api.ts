import { request } from './api';
import type { Staff } from './types';

/**
 * The appliances part of the console API (analysis, customers' usage, billing, catalog);
 * shapes follow the server's README ("Connected appliances") and /openapi.json.
 */

export const get = <T>(path: string) => request<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body });
export const put = <T>(path: string, body: unknown) => request<T>('PUT', path, { body });
export const postCsv = <T>(path: string, csv: string) => request<T>('POST', path, { raw: { text: csv, contentType: 'text/csv' } });

export { messageOf } from './api';

/** The appliance screens are for admin and sales staff (the routes check it too). */
export const canUseAppliances = (staff: Staff) => staff.role === 'admin' || staff.role === 'sales';

// ---- answers ----

export interface Selection {
  productTypes: { productType: string; models: { model: string; name: string; appliances: number; registered: number }[]; functions: { code: string; name: string }[] }[];
}

export interface Analysis {
  scope: { productType: string | null; model: string | null; models: string[]; functionCode: string | null; from: string; to: string; months: number };
  registeredCustomers: number;
  registeredAppliances: number;
  totals: { uses: number; totalSec: number };
  functions: { functionCode: string; name: string; uses: number; totalSec: number; users: number; perUserMonthSec: number; perCustomerMonthSec: number }[];
  monthly: { month: string; functionCode: string; uses: number; totalSec: number }[];
  durationHistogram: { bucket: number; label: string; uses: number }[];
  hourOfDay: { hour: number; uses: number }[];
  weekday: { weekday: number; label: string; uses: number }[];
  areas: { area: string; customers: number; uses: number; totalSec: number }[];
  ownership: { appliances: number; customers: number }[];
}

export interface CustomerAppliances {
  customerNumber: string;
  month: string;
  appliances: {
    manufacturingNumber: string;
    model: string;
    modelName: string;
    productType: string;
    current: boolean;
    registrations: { registeredAt: string; endedAt: string | null; area: string | null; source: string; cardNumber: string | null }[];
    functions: { functionCode: string; name: string; monthUses: number; monthSec: number; monthMinutes: number; monthChargeYen: number; totalUses: number; totalSec: number; lastUseAt: string | null }[];
    monthSec: number;
    monthChargeYen: number;
  }[];
  bill: { status: string; number: string | null; totalYen: number; hasLateUsage: boolean } | null;
}

export interface BillingMonth {
  month: string;
  status: 'open' | 'closed';
  closedAt: string | null;
  closedBy: string | null;
  totals: { customers: number; subtotalYen: number; discountYen: number; totalYen: number };
  customers: { customerNumber: string; name: string | null; billId: number | null; number: string | null; subtotalYen: number; discountYen: number; totalYen: number; usageMinutes: number; hasLateUsage: boolean; paidAt: string | null }[];
}

export interface Bill {
  id: number | null;
  number: string | null;
  month: string;
  status: 'provisional' | 'issued' | 'paid';
  customerNumber: string;
  customerName: string | null;
  lines: { kind: string; manufacturingNumber: string; model: string; functionCode: string | null; usageMonth: string | null; uses: number; billableMin: number; description: string; amountYen: number }[];
  subtotalYen: number;
  discountYen: number;
  totalYen: number;
  hasLateUsage: boolean;
  paidAt: string | null;
}

export interface Model {
  model: string;
  productType: string;
  name: string;
  monthlyBaseYen: number;
  discountThresholdMinutes: number | null;
  discountPercent: number;
  basicFunctions: string[];
  additionalCodes: { code: string; name: string; unit: string }[];
  functions: { code: string; name: string; perUseYen: number; perMinuteYen: number }[];
}

export interface Recalculation {
  id: number;
  from: string | null;
  to: string | null;
  requestedBy: string;
  requestedAt: string;
  finishedAt: string | null;
  status: string;
  changedRows: number | null;
  error: string | null;
}
