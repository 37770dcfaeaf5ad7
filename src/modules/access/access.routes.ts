import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../../platform/errors.js';
import { errors, IdParams } from '../../platform/http/common-schemas.js';
import type { Surface } from '../../platform/http/surface.js';
import type { AccessService, SessionSurface } from './access.service.js';

const StaffSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  storeId: Type.Union([Type.Integer(), Type.Null()]),
  facilityId: Type.Union([Type.Integer(), Type.Null()]),
  partnerId: Type.Union([Type.Integer(), Type.Null()]),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
});
const SessionSchema = Type.Object({ staff: StaffSchema, csrfToken: Type.String() });
const ApiKeySchema = Type.Object({
  id: Type.Integer(),
  keyId: Type.String(),
  kind: Type.String(),
  label: Type.String(),
  storeId: Type.Union([Type.Integer(), Type.Null()]),
  facilityId: Type.Union([Type.Integer(), Type.Null()]),
  partnerId: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
const KeyKindSchema = Type.Union(['store_terminal', 'reader', 'device', 'tracker', 'partner'].map((k) => Type.Literal(k)));
const OptionalId = Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]));

/** Staff login, logout and "who am I" for a surface that staff log in to. */
export function registerStaffAuthRoutes(app: Surface, access: AccessService, surface: SessionSurface): void {
  const tags = ['auth'];
  const roles = surface === 'partner' ? (['partner'] as const) : (['admin', 'sales', 'store', 'facility'] as const);

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Log in; sets the session cookie and returns the CSRF token for writes',
        body: Type.Object(
          { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: SessionSchema, ...errors(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const { token, csrfToken, staff } = await access.loginStaff(surface, req.body.username, req.body.password, req.ip);
      access.setSessionCookie(req, reply, surface, token);
      return { staff, csrfToken };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: roles }, schema: { tags, summary: 'Log out', response: { 204: Type.Null(), ...errors(401, 403) } } },
    async (req, reply) => {
      await access.logout(req, reply, surface);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    { config: { access: roles }, schema: { tags, summary: 'The logged-in staff member', response: { 200: SessionSchema, ...errors(401) } } },
    async (req) => {
      if (req.principal?.type !== 'staff') throw new UnauthenticatedError();
      return { staff: await access.staffById(req.principal.staffId), csrfToken: req.principal.csrfToken };
    },
  );
}

function staffPrincipal(req: FastifyRequest) {
  if (req.principal?.type !== 'staff') throw new ForbiddenError();
  return req.principal;
}

/** Staff accounts and API keys, managed from the console. Store staff manage their own store's terminal keys. */
export function registerAccessAdminRoutes(app: Surface, access: AccessService): void {
  const tags = ['access'];

  app.get(
    '/api/staff',
    { config: { access: ['admin'] }, schema: { tags, summary: 'Staff accounts', response: { 200: Type.Object({ items: Type.Array(StaffSchema) }) } } },
    async () => ({ items: await access.listStaff() }),
  );

  app.post(
    '/api/staff',
    {
      config: { access: ['admin'] },
      schema: {
        tags,
        summary: 'Create a staff account',
        body: Type.Object(
          {
            username: Type.String({ minLength: 3, maxLength: 64 }),
            displayName: Type.Optional(Type.String({ maxLength: 100 })),
            password: Type.String({ minLength: 1, maxLength: 200 }),
            role: Type.Union(['admin', 'sales', 'store', 'facility', 'partner'].map((r) => Type.Literal(r))),
            storeId: OptionalId,
            facilityId: OptionalId,
            partnerId: OptionalId,
          },
          { additionalProperties: false },
        ),
        response: { 201: StaffSchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await access.createStaff(req.body as Parameters<AccessService['createStaff']>[0])),
  );

  app.post(
    '/api/staff/:id/disable',
    { config: { access: ['admin'] }, schema: { tags, summary: 'Disable a staff account and end its sessions', params: IdParams, response: { 200: StaffSchema, ...errors(401, 403, 404) } } },
    async (req) => {
      if (staffPrincipal(req).staffId === req.params.id) throw new ForbiddenError('You cannot disable your own account');
      return access.setStaffDisabled(req.params.id, true);
    },
  );

  app.post(
    '/api/staff/:id/enable',
    { config: { access: ['admin'] }, schema: { tags, summary: 'Enable a disabled staff account again', params: IdParams, response: { 200: StaffSchema, ...errors(401, 403, 404) } } },
    async (req) => access.setStaffDisabled(req.params.id, false),
  );

  app.get(
    '/api/keys',
    {
      config: { access: ['admin', 'store'] },
      schema: {
        tags,
        summary: 'API keys (store staff: their store’s terminal keys)',
        querystring: Type.Object({ storeId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(ApiKeySchema) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const p = staffPrincipal(req);
      if (p.role === 'store') {
        if (req.query.storeId !== undefined) access.assertOwnStore(p, req.query.storeId);
        return { items: await access.listApiKeys({ storeId: p.storeId! }) };
      }
      return { items: await access.listApiKeys(req.query.storeId ? { storeId: req.query.storeId } : {}) };
    },
  );

  app.post(
    '/api/keys',
    {
      config: { access: ['admin', 'store'] },
      schema: {
        tags,
        summary: 'Create an API key; the key is in the response only',
        body: Type.Object(
          {
            kind: KeyKindSchema,
            label: Type.String({ minLength: 1, maxLength: 100 }),
            storeId: OptionalId,
            facilityId: OptionalId,
            partnerId: OptionalId,
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Intersect([ApiKeySchema, Type.Object({ key: Type.String(), surface: Type.String() })]), ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const p = staffPrincipal(req);
      const body = req.body as Parameters<AccessService['createApiKey']>[0];
      if (p.role === 'store') {
        if (body.kind !== 'store_terminal') throw new ForbiddenError('Store staff may create store terminal keys only');
        access.assertOwnStore(p, body.storeId ?? p.storeId!);
        body.storeId = p.storeId;
      }
      return reply.status(201).send(await access.createApiKey({ ...body, createdBy: p.staffId }));
    },
  );

  app.post(
    '/api/keys/:id/revoke',
    {
      config: { access: ['admin', 'store'] },
      schema: { tags, summary: 'Revoke an API key (repeating is harmless)', params: IdParams, response: { 200: ApiKeySchema, ...errors(401, 403, 404) } },
    },
    async (req) => {
      const p = staffPrincipal(req);
      const key = await access.getApiKey(req.params.id);
      if (p.role === 'store' && key.storeId !== p.storeId) throw new ForbiddenError('Store staff may only revoke their own store’s keys');
      return access.revokeApiKey(req.params.id);
    },
  );
}

/** Lets a device check its key: the ingest surface's "who am I". */
export function registerIngestWhoAmI(app: Surface): void {
  app.get(
    '/api/whoami',
    {
      config: { access: ['key:store_terminal', 'key:reader', 'key:device', 'key:tracker'] },
      schema: {
        tags: ['ingest'],
        summary: 'The key this request authenticated with',
        response: {
          200: Type.Object({
            keyId: Type.String(),
            kind: Type.String(),
            storeId: Type.Union([Type.Integer(), Type.Null()]),
            facilityId: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (req) => {
      if (req.principal?.type !== 'api_key') throw new UnauthenticatedError();
      const { keyId, kind, storeId, facilityId } = req.principal;
      return { keyId, kind, storeId, facilityId };
    },
  );
}
