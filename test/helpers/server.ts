import type { SurfaceName } from '../../src/config.js';
import { SURFACES } from '../../src/config.js';
import { buildSurfaces } from '../../src/app.js';
import { createLogger } from '../../src/platform/logger.js';
import type { Surface } from '../../src/platform/http/surface.js';
import { CLI_ACTOR, type StaffRole } from '../../src/platform/auth/principal.js';
import type { PersonalInput } from '../../src/modules/customers/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestServer {
  db: TestDatabase;
  services: TestDatabase['services'];
  surfaces: Record<SurfaceName, Surface>;
  urls: Record<SurfaceName, string>;
  consoleUrl: string;
  createStaff(opts: { username: string; password: string; role: StaffRole; storeId?: number; facilityId?: number; partnerId?: number }): Promise<void>;
  createCustomer(personal: PersonalInput): Promise<{ customerNumber: string; registrationNo: string }>;
  close(): Promise<void>;
}

/** The whole product on a fresh database: four surfaces listening on free loopback ports. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const db = await createTestDatabase(env);
  const surfaces = await buildSurfaces(db.services, createLogger(db.config));
  const urls = {} as Record<SurfaceName, string>;
  for (const name of SURFACES) {
    const address = await surfaces[name].listen({ host: '127.0.0.1', port: 0 });
    urls[name] = address;
  }
  db.services.messaging.delivery.setPortalUrl(urls.portal);
  await db.services.jobs.start();
  return {
    db,
    services: db.services,
    surfaces,
    urls,
    consoleUrl: urls.console,
    async createStaff(opts) {
      await db.services.access.createStaff({ displayName: opts.username, ...opts });
    },
    async createCustomer(personal) {
      const c = await db.services.customers.service.create(CLI_ACTOR, personal);
      return { customerNumber: c.customerNumber, registrationNo: c.registrationNo };
    },
    async close() {
      await Promise.allSettled(SURFACES.map((s) => surfaces[s].close()));
      await db.services.jobs.stop().catch(() => undefined);
      db.services.messaging.close();
      await db.drop();
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * A tiny HTTP client that behaves like a browser session against one surface: it keeps the
 * cookies it is given and sends the CSRF token on writes once logged in.
 */
export class ApiClient {
  private cookies = new Map<string, string>();
  csrfToken: string | undefined;
  bearer: string | undefined;

  constructor(readonly baseUrl: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** Copies this client's cookies into another client (to try them on another surface). */
  shareCookiesWith(other: ApiClient): void {
    for (const [k, v] of this.cookies) other.cookies.set(k, v);
    other.csrfToken = this.csrfToken;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrfToken && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrfToken;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  async login(username: string, password: string): Promise<ApiResponse> {
    const res = await this.post('/api/auth/login', { username, password });
    if (res.status === 200) this.csrfToken = res.body.csrfToken;
    return res;
  }
}
