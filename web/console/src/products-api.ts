import { ApiError, getCsrfToken, request } from './api';
import type { Staff } from './types';

export type ProductCategory = 'pc' | 'printer' | 'scanner' | 'terminal_adapter' | 'storage' | 'other';

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

export interface RegistrationSummary {
  categories: { category: ProductCategory; count: number }[];
  shipped: { count: number; lastImportedAt: string | null };
}

export interface ShippedImportResult {
  inserted: number;
  updated: number;
  rejected: { line: number; problems: { field: string; message: string }[] }[];
}

export interface ApiKey {
  id: number;
  keyId: string;
  kind: string;
  label: string;
  storeId: number | null;
  facilityId: number | null;
  partnerId: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Organisation {
  id: number;
  code: string;
  name: string;
}

export const CATEGORY_LABELS: Record<ProductCategory, string> = {
  pc: 'PC',
  printer: 'Printer',
  scanner: 'Scanner',
  terminal_adapter: 'Terminal adapter',
  storage: 'Storage',
  other: 'Other',
};
export const CATEGORIES = Object.keys(CATEGORY_LABELS) as ProductCategory[];
export const KEY_KINDS = ['store_terminal', 'reader', 'device', 'tracker', 'partner'] as const;

export const canSeeRegistrations = (staff: Staff) => staff.role === 'admin' || staff.role === 'sales';
export const canManageKeys = (staff: Staff) => staff.role === 'admin' || staff.role === 'store';

export interface RegistrationFilter {
  category?: string;
  model?: string;
  from?: string;
  to?: string;
  serial?: string;
  before?: number;
}

const seg = encodeURIComponent;

export const productsApi = {
  summary: (signal?: AbortSignal) => request<RegistrationSummary>('GET', '/api/registrations/summary', { signal }),
  list: (f: RegistrationFilter, signal?: AbortSignal) =>
    request<{ items: Product[] }>('GET', '/api/registrations', { query: { ...f, limit: 50 }, signal }),
  get: (id: string, signal?: AbortSignal) => request<Product & { peripherals: Product[] }>('GET', `/api/registrations/${seg(id)}`, { signal }),
  ofCustomer: (n: string, signal?: AbortSignal) => request<{ items: Product[] }>('GET', `/api/customers/${seg(n)}/products`, { signal }),
  keys: (signal?: AbortSignal) => request<{ items: ApiKey[] }>('GET', '/api/keys', { signal }),
  createKey: (body: { kind: string; label: string; storeId?: number; facilityId?: number; partnerId?: number }) =>
    request<ApiKey & { key: string; surface: string }>('POST', '/api/keys', { body }),
  revokeKey: (id: number) => request<ApiKey>('POST', `/api/keys/${id}/revoke`, { body: {} }),
  organisations: (kind: 'stores' | 'facilities' | 'partners', signal?: AbortSignal) =>
    request<{ items: Organisation[] }>('GET', `/api/${kind}`, { signal }),
};

/** Uploads a CSV as the raw body, reporting upload progress (fetch cannot). */
export function uploadShippedList(file: File, onProgress: (fraction: number) => void): Promise<ShippedImportResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/shipped-products/import');
    xhr.setRequestHeader('Content-Type', 'text/csv');
    const token = getCsrfToken();
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'Cannot reach the server. Check the connection and try again.'));
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as ShippedImportResult);
      const e = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
      reject(new ApiError(xhr.status, e?.code ?? 'http_error', e?.message ?? `The server answered ${xhr.status}`, e?.details ?? {}));
    };
    xhr.send(file);
  });
}
