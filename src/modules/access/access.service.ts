import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config, SurfaceName } from '../../config.js';
import type { Db } from '../../platform/db/database.js';
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../../platform/auth/passwords.js';
import type { KeyKind, Principal, StaffRole } from '../../platform/auth/principal.js';
import type { Authenticator } from '../../platform/http/surface.js';
import {
  ConflictError,
  ForbiddenError,
  isUniqueViolation,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../../platform/errors.js';
import { apiKeysRepository } from './api-keys.repository.js';
import { LoginThrottle } from './login-throttle.service.js';
import { sessionsRepository } from './sessions.repository.js';
import { staffRepository, type StaffRow } from './staff.repository.js';

export type SessionSurface = 'console' | 'portal' | 'partner';

/** Which surface accepts which key kind: partner keys on the partner surface, every device kind on ingest. */
export const KEY_SURFACE: Record<KeyKind, SurfaceName> = {
  store_terminal: 'ingest',
  reader: 'ingest',
  device: 'ingest',
  tracker: 'ingest',
  partner: 'partner',
};
/** Which staff roles may log in on which surface. */
const STAFF_SURFACE: Record<StaffRole, SessionSurface> = {
  admin: 'console',
  sales: 'console',
  store: 'console',
  facility: 'console',
  partner: 'partner',
};

export interface StaffView {
  id: number;
  username: string;
  displayName: string;
  role: StaffRole;
  storeId: number | null;
  facilityId: number | null;
  partnerId: number | null;
  disabled: boolean;
  createdAt: string;
}

export function staffView(row: StaffRow): StaffView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    storeId: row.store_id,
    facilityId: row.facility_id,
    partnerId: row.partner_id,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at.toISOString(),
  };
}

export interface NewStaff {
  username: string;
  displayName?: string;
  password: string;
  role: StaffRole;
  storeId?: number | null;
  facilityId?: number | null;
  partnerId?: number | null;
}

export interface NewApiKey {
  kind: KeyKind;
  label: string;
  storeId?: number | null;
  facilityId?: number | null;
  partnerId?: number | null;
  createdBy?: number | null;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const cookieName = (surface: SessionSurface) => `clientele_${surface}`;
const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^clk_([a-z0-9]{12})\.([A-Za-z0-9_-]{43})$/;

function translateFkError(err: unknown): never {
  const e = err as { code?: string; constraint?: string };
  if (e?.code === '23503') {
    const field = e.constraint?.includes('store') ? 'storeId' : e.constraint?.includes('facility') ? 'facilityId' : 'partnerId';
    throw new ValidationError([{ field, message: 'does not exist' }]);
  }
  throw err;
}

export class AccessService {
  readonly throttle: LoginThrottle;

  constructor(
    private readonly db: Db,
    private readonly config: Config,
  ) {
    this.throttle = new LoginThrottle(db, config.loginThrottle);
  }

  // ---- staff accounts ----

  async createStaff(input: NewStaff): Promise<StaffView> {
    const problems = [];
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      problems.push({ field: 'password', message: `must have at least ${MIN_PASSWORD_LENGTH} characters` });
    }
    const bindings = { store: input.storeId ?? null, facility: input.facilityId ?? null, partner: input.partnerId ?? null };
    for (const [kind, id] of Object.entries(bindings)) {
      const field = `${kind}Id`;
      if (input.role === kind && id === null) problems.push({ field, message: `is required for the ${kind} role` });
      if (input.role !== kind && id !== null) problems.push({ field, message: `is only for the ${kind} role` });
    }
    if (!/^[A-Za-z0-9._@-]{3,64}$/.test(input.username)) {
      problems.push({ field: 'username', message: 'must be 3–64 letters, digits or . _ @ -' });
    }
    if (problems.length) throw new ValidationError(problems);
    const passwordHash = await hashPassword(input.password);
    try {
      const row = await staffRepository.insert(this.db, {
        username: input.username,
        display_name: input.displayName?.trim() || input.username,
        role: input.role,
        store_id: bindings.store,
        facility_id: bindings.facility,
        partner_id: bindings.partner,
        password_hash: passwordHash,
      });
      return staffView(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('username_taken', `Username ${input.username} is taken`);
      translateFkError(err);
    }
  }

  async listStaff(filter: { storeId?: number; facilityId?: number } = {}): Promise<StaffView[]> {
    return (await staffRepository.list(this.db, filter)).map(staffView);
  }

  async setStaffDisabled(id: number, disabled: boolean): Promise<StaffView> {
    const row = await staffRepository.setDisabled(this.db, id, disabled);
    if (!row) throw new NotFoundError('staff account', id);
    if (disabled) await sessionsRepository.deleteForStaff(this.db, id);
    return staffView(row);
  }

  async staffCount(): Promise<number> {
    return staffRepository.count(this.db);
  }

  // ---- sessions ----

  /** Checks a staff login (throttled per account and IP) and opens a session on the surface. */
  async loginStaff(
    surface: SessionSurface,
    username: string,
    password: string,
    ip: string,
  ): Promise<{ token: string; csrfToken: string; staff: StaffView }> {
    const subject = { account: `${surface}:${username}`, ip };
    let row: StaffRow | undefined;
    const ok = await this.throttle.guard(subject, async () => {
      row = await staffRepository.findByUsername(this.db, username);
      const valid = await verifyPassword(row?.password_hash, password);
      return valid && !!row && row.disabled_at === null && STAFF_SURFACE[row.role] === surface;
    });
    if (!ok || !row) throw new UnauthenticatedError('invalid_credentials', 'Wrong username or password');
    const session = await this.openSession(surface, { staffId: row.id });
    return { ...session, staff: staffView(row) };
  }

  async openSession(
    surface: SessionSurface,
    owner: { staffId: number } | { customerId: number },
  ): Promise<{ token: string; csrfToken: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    await sessionsRepository.insert(this.db, {
      id_hash: sha256(token),
      surface,
      staff_id: 'staffId' in owner ? owner.staffId : null,
      customer_id: 'customerId' in owner ? owner.customerId : null,
      csrf_token: csrfToken,
      expires_at: new Date(Date.now() + this.config.sessionTtlMs),
    });
    return { token, csrfToken };
  }

  setSessionCookie(request: FastifyRequest, reply: FastifyReply, surface: SessionSurface, token: string): void {
    const secure = this.config.secureCookies === 'always' || (this.config.secureCookies === 'auto' && request.protocol === 'https');
    void reply.setCookie(cookieName(surface), token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure,
      maxAge: Math.floor(this.config.sessionTtlMs / 1000),
    });
  }

  async logout(request: FastifyRequest, reply: FastifyReply, surface: SessionSurface): Promise<void> {
    const token = request.cookies[cookieName(surface)];
    if (token) await sessionsRepository.delete(this.db, sha256(token));
    void reply.clearCookie(cookieName(surface), { path: '/' });
  }

  async endCustomerSessions(customerId: number): Promise<void> {
    await sessionsRepository.deleteForCustomer(this.db, customerId);
  }

  async staffById(id: number): Promise<StaffView> {
    const row = await staffRepository.findById(this.db, id);
    if (!row) throw new NotFoundError('staff account', id);
    return staffView(row);
  }

  // ---- API keys ----

  /** Creates a key; the secret is in the returned `key` only, never stored or shown again. */
  async createApiKey(input: NewApiKey) {
    const problems = [];
    if (input.kind === 'store_terminal' && !input.storeId) problems.push({ field: 'storeId', message: 'is required for a store terminal key' });
    if (input.kind === 'partner' && !input.partnerId) problems.push({ field: 'partnerId', message: 'is required for a partner key' });
    if (input.kind !== 'store_terminal' && input.storeId) problems.push({ field: 'storeId', message: 'is only for store terminal keys' });
    if (input.kind !== 'partner' && input.partnerId) problems.push({ field: 'partnerId', message: 'is only for partner keys' });
    if (!input.label.trim()) problems.push({ field: 'label', message: 'must not be empty' });
    if (problems.length) throw new ValidationError(problems);
    const keyId = Array.from({ length: 12 }, () => KEY_ID_ALPHABET[randomInt(KEY_ID_ALPHABET.length)]).join('');
    const secret = randomBytes(32).toString('base64url');
    try {
      const row = await apiKeysRepository.insert(this.db, {
        key_id: keyId,
        secret_hash: sha256(secret),
        kind: input.kind,
        label: input.label.trim(),
        store_id: input.storeId ?? null,
        facility_id: input.facilityId ?? null,
        partner_id: input.partnerId ?? null,
        created_by: input.createdBy ?? null,
      });
      return { ...apiKeyView(row), key: `clk_${keyId}.${secret}`, surface: KEY_SURFACE[input.kind] };
    } catch (err) {
      translateFkError(err);
    }
  }

  async listApiKeys(filter: { storeId?: number; facilityId?: number; partnerId?: number } = {}) {
    return (await apiKeysRepository.list(this.db, filter)).map(apiKeyView);
  }

  async getApiKey(id: number) {
    const row = await apiKeysRepository.findById(this.db, id);
    if (!row) throw new NotFoundError('API key', id);
    return apiKeyView(row);
  }

  async revokeApiKey(id: number) {
    const row = await apiKeysRepository.revoke(this.db, id);
    if (row) return apiKeyView(row);
    const existing = await this.getApiKey(id); // 404 when missing
    return existing; // already revoked: revoking again is a no-op
  }

  /** Resolves `clk_<id>.<secret>`: a fast hash suffices, the secret has 256 bits of entropy. */
  async resolveApiKey(presented: string): Promise<Principal | null> {
    const m = KEY_PATTERN.exec(presented);
    if (!m) return null;
    const row = await apiKeysRepository.findByKeyId(this.db, m[1]!);
    if (!row || row.revoked_at) return null;
    if (!timingSafeEqual(row.secret_hash, sha256(m[2]!))) return null;
    void apiKeysRepository.touch(this.db, row.id).catch(() => undefined);
    return {
      type: 'api_key',
      apiKeyId: row.id,
      keyId: row.key_id,
      kind: row.kind,
      storeId: row.store_id,
      facilityId: row.facility_id,
      partnerId: row.partner_id,
    };
  }

  // ---- request authentication ----

  /**
   * The authenticator of one surface. A session is looked up only under this surface's cookie
   * name and must have been opened on this surface; an API key only counts where its kind belongs.
   */
  authenticatorFor(surface: SurfaceName): Authenticator {
    return async (request) => {
      const auth = request.headers.authorization;
      if (auth?.startsWith('Bearer ')) {
        const principal = await this.resolveApiKey(auth.slice(7).trim());
        if (!principal || principal.type !== 'api_key' || KEY_SURFACE[principal.kind] !== surface) {
          throw new UnauthenticatedError('invalid_api_key', 'The API key is unknown, revoked or not valid on this surface');
        }
        return { principal, viaCookie: false };
      }
      if (surface === 'ingest') return null;
      const token = request.cookies[cookieName(surface)];
      if (!token) return null;
      const row = await sessionsRepository.findLive(this.db, sha256(token), surface);
      if (!row) return null;
      if (row.customer_id !== null) {
        return { principal: { type: 'customer', customerId: row.customer_id, csrfToken: row.csrf_token }, viaCookie: true };
      }
      if (row.staff_id === null || row.disabled_at || !row.role) return null;
      return {
        principal: {
          type: 'staff',
          staffId: row.staff_id,
          username: row.username!,
          displayName: row.display_name!,
          role: row.role,
          storeId: row.store_id,
          facilityId: row.facility_id,
          partnerId: row.partner_id,
          csrfToken: row.csrf_token,
        },
        viaCookie: true,
      };
    };
  }

  async purgeExpired(): Promise<void> {
    await sessionsRepository.purgeExpired(this.db);
    await this.throttle.purgeExpired();
  }

  assertOwnStore(principal: Principal | null, storeId: number): void {
    if (principal?.type === 'staff' && principal.role === 'store' && principal.storeId !== storeId) {
      throw new ForbiddenError('Store staff may only see their own store');
    }
  }
}

type ApiKeyRow = NonNullable<Awaited<ReturnType<typeof apiKeysRepository.findById>>>;

export function apiKeyView(row: ApiKeyRow) {
  return {
    id: row.id,
    keyId: row.key_id,
    kind: row.kind,
    label: row.label,
    storeId: row.store_id,
    facilityId: row.facility_id,
    partnerId: row.partner_id,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
