import { ApiError, apiErrorOf, getCsrfToken, request } from './api';
import type { FieldProblem, Staff, StaffRole } from './types';

/** Registrations, the shipped list, staff accounts, API keys and organisations (see /openapi.json). */

// ---------- registered products ----------

export const CATEGORIES = ['pc', 'printer', 'scanner', 'terminal_adapter', 'storage', 'other'] as const;
export type ProductCategory = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<ProductCategory, string> = {
  pc: 'PC',
  printer: 'Printer',
  scanner: 'Scanner',
  terminal_adapter: 'Terminal adapter',
  storage: 'Storage',
  other: 'Other',
};

export const categoryLabel = (c: string) => (CATEGORY_LABELS as Record<string, string>)[c] ?? c;
export const isCategory = (c: string): c is ProductCategory => (CATEGORIES as readonly string[]).includes(c);

export interface Product {
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

export interface ProductWithPeripherals extends Product {
  peripherals: Product[];
}

export interface RegistrationSummary {
  categories: { category: string; count: number }[];
  shipped: ShippedStats;
}

export interface ShippedStats {
  count: number;
  lastImportedAt: string | null;
}

export interface ShippedImportResult {
  inserted: number;
  updated: number;
  rejected: { line: number; problems: FieldProblem[] }[];
}

export const REGISTRATION_FILTERS = ['category', 'model', 'from', 'to', 'serial'] as const;
export type RegistrationFilter = Partial<Record<(typeof REGISTRATION_FILTERS)[number], string>>;

export const PAGE_SIZE = 50;

export const productPath = (id: number) => `/registrations/${id}`;

// ---------- staff, keys, organisations ----------

export interface StaffAccount extends Staff {
  disabled: boolean;
  createdAt: string;
}

export interface NewStaff {
  username: string;
  displayName?: string;
  password: string;
  role: StaffRole;
  storeId?: number;
  facilityId?: number;
  partnerId?: number;
}

export const KEY_KINDS = ['store_terminal', 'reader', 'device', 'tracker', 'partner'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export const KEY_KIND_LABELS: Record<KeyKind, string> = {
  store_terminal: 'Store terminal',
  reader: 'Card reader',
  device: 'Device',
  tracker: 'Web tracker',
  partner: 'Partner',
};

export const KEY_KIND_HINTS: Record<KeyKind, string> = {
  store_terminal: 'A till or counter terminal of one store.',
  reader: 'A contactless card reader, usually at a facility.',
  device: 'A connected appliance or PC agent sending data.',
  tracker: 'The tracking script of a web site.',
  partner: 'A partner company reading the fields granted to it.',
};

export interface ApiKey {
  id: number;
  keyId: string;
  kind: KeyKind;
  label: string;
  storeId: number | null;
  facilityId: number | null;
  partnerId: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKey {
  /** The secret: in this answer only, never again. */
  key: string;
  surface: string;
}

export interface NewApiKey {
  kind: KeyKind;
  label: string;
  storeId?: number;
  facilityId?: number;
  partnerId?: number;
}

export type OrgKind = 'stores' | 'facilities' | 'partners';

export interface Organisation {
  id: number;
  code: string;
  name: string;
  createdAt: string;
  grantedFields?: string[];
}

export interface NewOrganisation {
  code: string;
  name: string;
  grantedFields?: string[];
}

/** The fields an administrator may grant a partner company. */
export const PARTNER_FIELDS = [
  'registrationNo',
  'rank',
  'name',
  'nameReading',
  'postalCode',
  'prefecture',
  'city',
  'addressLine1',
  'addressLine2',
  'phone',
  'birthDate',
  'occupation',
  'email',
  'nickname',
] as const;

// ---------- who may see what ----------

export const canSeeRegistrations = (staff: Staff) => staff.role === 'admin' || staff.role === 'sales';
export const canImportShipped = (staff: Staff) => staff.role === 'admin';
export const canAdminister = (staff: Staff) => staff.role === 'admin';
/** Admins manage every key; store staff their own store's terminal keys. */
export const canManageKeys = (staff: Staff) => staff.role === 'admin' || staff.role === 'store';

// ---------- requests ----------

const seg = encodeURIComponent;

export const adminApi = {
  registrationSummary: (signal?: AbortSignal) => request<RegistrationSummary>('GET', '/api/registrations/summary', { signal }),
  registrations: (filter: RegistrationFilter, opts: { before?: number; limit?: number; signal?: AbortSignal } = {}) =>
    request<{ items: Product[] }>('GET', '/api/registrations', {
      query: { ...filter, limit: opts.limit ?? PAGE_SIZE, before: opts.before },
      signal: opts.signal,
    }),
  registration: (id: number, signal?: AbortSignal) =>
    request<ProductWithPeripherals>('GET', `/api/registrations/${seg(String(id))}`, { signal }),
  customerProducts: (customerNumber: string, signal?: AbortSignal) =>
    request<{ items: Product[] }>('GET', `/api/customers/${seg(customerNumber)}/products`, { signal }),

  staff: (signal?: AbortSignal) => request<{ items: StaffAccount[] }>('GET', '/api/staff', { signal }),
  createStaff: (body: NewStaff) => request<StaffAccount>('POST', '/api/staff', { body }),
  disableStaff: (id: number) => request<StaffAccount>('POST', `/api/staff/${seg(String(id))}/disable`, { body: {} }),
  enableStaff: (id: number) => request<StaffAccount>('POST', `/api/staff/${seg(String(id))}/enable`, { body: {} }),

  keys: (signal?: AbortSignal) => request<{ items: ApiKey[] }>('GET', '/api/keys', { signal }),
  createKey: (body: NewApiKey) => request<CreatedApiKey>('POST', '/api/keys', { body }),
  revokeKey: (id: number) => request<ApiKey>('POST', `/api/keys/${seg(String(id))}/revoke`, { body: {} }),

  organisations: (kind: OrgKind, signal?: AbortSignal) => request<{ items: Organisation[] }>('GET', `/api/${kind}`, { signal }),
  createOrganisation: (kind: OrgKind, body: NewOrganisation) => request<Organisation>('POST', `/api/${kind}`, { body }),
};

/**
 * The PC a peripheral was found on. The serial filter matches a prefix, so a longer serial
 * registered later could come first: ask for one, and look further only if it is not exact.
 */
export async function findBySerial(serial: string, signal?: AbortSignal): Promise<Product | null> {
  const first = await adminApi.registrations({ serial }, { limit: 1, signal });
  if (first.items[0]?.serial === serial) return first.items[0];
  if (first.items.length === 0) return null;
  const more = await adminApi.registrations({ serial }, { limit: 200, signal });
  return more.items.find((p) => p.serial === serial) ?? null;
}

/** Maps `details.fields` of a 400 to the form's own field names (`body.code` → `code`). */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  for (const f of err.fields) {
    const name = f.field.split(/[./]/).filter(Boolean)[0] ?? f.field;
    out[name] = out[name] ? `${out[name]}; ${f.message}` : f.message;
  }
  return out;
}

export interface Upload<T> {
  promise: Promise<T>;
  abort: () => void;
}

type ProgressLine = { progress?: { done: number; total: number }; result?: unknown; error?: unknown };

/**
 * Sends the shipped list as the raw CSV body with XMLHttpRequest, which (unlike fetch) reports
 * upload progress. `onUploaded` fires when the last byte has left; the server then answers with
 * progress lines (application/x-ndjson), passed to `onProcessed` as they arrive, and the result.
 */
export function uploadShippedList(
  file: Blob,
  handlers: { onProgress: (loaded: number, total: number) => void; onUploaded: () => void; onProcessed: (done: number, total: number) => void },
): Upload<ShippedImportResult> {
  const xhr = new XMLHttpRequest();
  let parsedUpTo = 0;
  let outcome: ProgressLine | null = null;
  // Reads the complete lines that arrived since the last call; a result or error line is the outcome.
  const readLines = () => {
    const text = xhr.responseText;
    const end = text.lastIndexOf('\n') + 1;
    if (end <= parsedUpTo) return;
    for (const raw of text.slice(parsedUpTo, end).split('\n')) {
      if (!raw.trim()) continue;
      const line = JSON.parse(raw) as ProgressLine;
      if (line.progress) handlers.onProcessed(line.progress.done, line.progress.total);
      else outcome = line;
    }
    parsedUpTo = end;
  };
  const promise = new Promise<ShippedImportResult>((resolve, reject) => {
    xhr.open('POST', '/api/shipped-products/import');
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.setRequestHeader('Accept', 'application/x-ndjson, application/json');
    const token = getCsrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => handlers.onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.upload.onload = () => handlers.onUploaded();
    xhr.onprogress = () => {
      if (xhr.status >= 200 && xhr.status < 300 && (xhr.getResponseHeader('Content-Type') ?? '').includes('ndjson')) {
        try {
          readLines();
        } catch {
          // A line cut by a proxy: the final read in onload decides.
        }
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'Cannot reach the server. Check the connection and try again.'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    xhr.onload = () => {
      const ok = xhr.status >= 200 && xhr.status < 300;
      if (ok && (xhr.getResponseHeader('Content-Type') ?? '').includes('ndjson')) {
        try {
          readLines();
        } catch {
          outcome = null;
        }
        const final = outcome as ProgressLine | null;
        if (final?.result) resolve(final.result as ShippedImportResult);
        else if (final?.error) reject(apiErrorOf(500, '', final));
        else reject(new ApiError(0, 'network_error', 'The answer broke off before the import finished. Check the shipped list count and import the file again.'));
        return;
      }
      let body: unknown = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // Not JSON: a proxy's error page, say.
      }
      if (ok && body) resolve(body as ShippedImportResult);
      else reject(apiErrorOf(xhr.status, xhr.statusText, body));
    };
    xhr.send(file);
  });
  return { promise, abort: () => xhr.abort() };
}

/** A 401 outside the shared client: ask again through it, so the console notices the session ended. */
export function recheckSession(): void {
  request('GET', '/api/auth/me').catch(() => undefined);
}
