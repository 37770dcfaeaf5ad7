import { Type } from '@sinclair/typebox';
import { UnauthenticatedError } from '../../platform/errors.js';
import { errors } from '../../platform/http/common-schemas.js';
import type { Surface } from '../../platform/http/surface.js';
import { requestActor } from '../../platform/http/request-actor.js';
import type { FastifyRequest } from 'fastify';
import type { AccessService } from '../access/access.service.js';
import type { CustomerPrivacyService } from './customer-privacy.service.js';
import type { CustomersService } from './customers.service.js';
import { ConsentBodySchema, ExportSchema, CustomerSchema, PersonalInputSchema } from './customers.schemas.js';

const tags = ['portal'];
const SELF = ['customer'] as const;

function me(req: FastifyRequest): number {
  if (req.principal?.type !== 'customer') throw new UnauthenticatedError();
  return req.principal.customerId;
}

/** The customer portal: a customer sees and changes only their own data. */
export function registerPortalRoutes(
  app: Surface,
  deps: { customers: CustomersService; privacy: CustomerPrivacyService; access: AccessService },
): void {
  const { customers, privacy, access } = deps;

  app.post(
    '/api/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Log in with registration number (or e-mail) and password',
        body: Type.Object(
          { login: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ customer: CustomerSchema, csrfToken: Type.String() }), ...errors(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const customerId = await customers.verifyPortalLogin(req.body.login, req.body.password, req.ip);
      const session = await access.openSession('portal', { customerId });
      access.setSessionCookie(req, reply, 'portal', session.token);
      return { customer: await customers.get(customerId), csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/api/auth/logout',
    { config: { access: SELF }, schema: { tags, summary: 'Log out', response: { 204: Type.Null() } } },
    async (req, reply) => {
      await access.logout(req, reply, 'portal');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me',
    {
      config: { access: SELF },
      schema: { tags, summary: 'My data', response: { 200: Type.Object({ customer: CustomerSchema, csrfToken: Type.String() }), ...errors(401) } },
    },
    async (req) => ({
      customer: await customers.get(me(req)),
      csrfToken: req.principal?.type === 'customer' ? req.principal.csrfToken : '',
    }),
  );

  app.patch(
    '/api/me',
    {
      config: { access: SELF },
      schema: { tags, summary: 'Change my personal info', body: PersonalInputSchema, response: { 200: CustomerSchema, ...errors(400, 401, 403) } },
    },
    async (req) => customers.update(requestActor(req), me(req), req.body),
  );

  app.post(
    '/api/me/consent',
    {
      config: { access: SELF },
      schema: { tags, summary: 'Give or withdraw consent for a channel', body: ConsentBodySchema, response: { 200: CustomerSchema, ...errors(400, 401, 403) } },
    },
    async (req) => customers.setConsent(requestActor(req), me(req), req.body.channel, req.body.granted, req.body.source),
  );

  app.get(
    '/api/me/export',
    { config: { access: SELF }, schema: { tags, summary: 'Download everything held about me', response: { 200: ExportSchema, ...errors(401) } } },
    async (req, reply) => {
      const document = await privacy.export(requestActor(req), me(req));
      return reply.header('content-disposition', 'attachment; filename="my-data.json"').send(document);
    },
  );
}
