/** The console API, with the console's session cookie and its CSRF token on writes. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;

async function call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = contentType;
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : (body as string),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'error', err?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

export interface Staff {
  username: string;
  displayName: string;
  role: string;
}

export async function me(): Promise<Staff | null> {
  try {
    const r = await call<{ staff: Staff; csrfToken: string }>('GET', '/api/auth/me');
    csrfToken = r.csrfToken;
    return r.staff;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export async function login(username: string, password: string): Promise<Staff> {
  const r = await call<{ staff: Staff; csrfToken: string }>('POST', '/api/auth/login', { username, password });
  csrfToken = r.csrfToken;
  return r.staff;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => call<T>('PUT', path, body);
export const postCsv = <T>(path: string, csv: string) => call<T>('POST', path, csv, 'text/csv');

export const messageOf = (err: unknown) => (err instanceof Error ? err.message : 'Something went wrong');

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
