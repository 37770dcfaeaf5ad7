import { Type } from '@sinclair/typebox';
import { ForbiddenError } from '../../platform/errors.js';
import { errors, IdParams } from '../../platform/http/common-schemas.js';
import type { Surface } from '../../platform/http/surface.js';
import { requestActor } from '../../platform/http/request-actor.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CustomerMergeService } from './customer-merge.service.js';
import type { CustomerPrivacyService } from './customer-privacy.service.js';
import { counterView, isStaff } from './customer-views.js';
import type { CustomersService } from './customers.service.js';
import type { IdentifierKind } from './customers.tables.js';
import {
  AuditEntrySchema,
  ConsentEventSchema,
  ExportSchema,
  ConsentBodySchema,
  CounterViewSchema,
  CustomerNumberParams,
  CustomerSchema,
  CustomerSummarySchema,
  IdentifierKindSchema,
  IdentifierSchema,
  PersonalInputSchema,
} from './customers.schemas.js';

export interface CustomerRouteDeps {
  customers: CustomersService;
  merge: CustomerMergeService;
  privacy: CustomerPrivacyService;
  audit: AuditService;
}

const tags = ['customers'];
const READERS = ['admin', 'sales'] as const;
const EDITORS = ['admin'] as const;

/** The staff console's customer API. Sales staff read; only admins change customer data. */
export function registerConsoleCustomerRoutes(app: Surface, deps: CustomerRouteDeps): void {
  const { customers, merge, privacy, audit } = deps;
  const idOf = (n: string) => customers.resolveNumber(n);

  app.get(
    '/api/customers',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Search customers by name, reading, phone, e-mail or any identifier',
        querystring: Type.Object(
          { q: Type.String({ maxLength: 200, default: '' }), limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(CustomerSummarySchema) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => ({ items: await customers.search(req.query.q, { limit: req.query.limit }) }),
  );

  app.get(
    '/api/customers/lookup',
    {
      config: { access: ['admin', 'sales', 'store', 'facility'] },
      schema: {
        tags,
        summary: 'Find one customer by customer number, registration number or identifier (exact)',
        description: 'Store and facility staff receive the counter view only: number, name, reading, nickname, rank.',
        querystring: Type.Object({ identifier: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Union([CustomerSchema, CounterViewSchema]), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const view = await customers.lookup(req.query.identifier);
      return isStaff(req.principal, 'admin', 'sales') ? view : counterView(view);
    },
  );

  app.post(
    '/api/customers',
    {
      config: { access: EDITORS },
      schema: { tags, summary: 'Create a customer', body: PersonalInputSchema, response: { 201: CustomerSchema, ...errors(400, 401, 403) } },
    },
    async (req, reply) => reply.status(201).send(await customers.create(requestActor(req), req.body)),
  );

  app.get(
    '/api/customers/:customerNumber',
    {
      config: { access: READERS },
      schema: { tags, summary: 'One customer', params: CustomerNumberParams, response: { 200: CustomerSchema, ...errors(401, 403, 404) } },
    },
    async (req) => customers.get(await idOf(req.params.customerNumber)),
  );

  app.patch(
    '/api/customers/:customerNumber',
    {
      config: { access: EDITORS },
      schema: {
        tags,
        summary: 'Change personal info (only changed fields are saved and audited; null clears)',
        params: CustomerNumberParams,
        body: PersonalInputSchema,
        response: { 200: CustomerSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => customers.update(requestActor(req), await idOf(req.params.customerNumber), req.body),
  );

  app.post(
    '/api/customers/:customerNumber/identifiers',
    {
      config: { access: EDITORS },
      schema: {
        tags,
        summary: 'Attach an identifier (409 identifier_taken when another customer holds it)',
        params: CustomerNumberParams,
        body: Type.Object(
          { kind: IdentifierKindSchema, value: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 201: IdentifierSchema, 200: IdentifierSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const id = await idOf(req.params.customerNumber);
      const result = await customers.addIdentifier(requestActor(req), id, req.body.kind as IdentifierKind, req.body.value, 'console');
      return reply.status(result.created ? 201 : 200).send(result);
    },
  );

  app.delete(
    '/api/customers/:customerNumber/identifiers/:id',
    {
      config: { access: EDITORS },
      schema: {
        tags,
        summary: 'Release an identifier',
        params: Type.Object({ ...CustomerNumberParams.properties, ...IdParams.properties }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await customers.removeIdentifier(requestActor(req), await idOf(req.params.customerNumber), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/customers/:customerNumber/consent',
    {
      config: { access: EDITORS },
      schema: {
        tags,
        summary: 'Record a consent decision for a channel',
        params: CustomerNumberParams,
        body: ConsentBodySchema,
        response: { 200: CustomerSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      customers.setConsent(requestActor(req), await idOf(req.params.customerNumber), req.body.channel, req.body.granted, req.body.source),
  );

  app.get(
    '/api/customers/:customerNumber/consent-events',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'The consent ledger of a customer',
        params: CustomerNumberParams,
        response: { 200: Type.Object({ items: Type.Array(ConsentEventSchema) }), ...errors(401, 403, 404) },
      },
    },
    async (req) => ({ items: await customers.consentHistory(await idOf(req.params.customerNumber)) }),
  );

  app.get(
    '/api/customers/:customerNumber/audit',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Audit trail of a customer, newest first',
        params: CustomerNumberParams,
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }), before: Type.Optional(Type.Integer({ minimum: 1 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(AuditEntrySchema) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => ({
      items: await audit.forCustomer(await idOf(req.params.customerNumber), req.query.limit, req.query.before),
    }),
  );

  app.post(
    '/api/customers/:customerNumber/merge',
    {
      config: { access: EDITORS },
      schema: {
        tags,
        summary: 'Merge another customer into this one (undo with POST /api/merges/{mergeId}/undo)',
        params: CustomerNumberParams,
        body: Type.Object({ otherCustomerNumber: Type.String({ minLength: 1, maxLength: 20 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ customer: CustomerSchema, mergeId: Type.Integer() }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) =>
      merge.merge(requestActor(req), await idOf(req.params.customerNumber), await idOf(req.body.otherCustomerNumber)),
  );

  app.post(
    '/api/merges/:id/undo',
    {
      config: { access: EDITORS },
      schema: {
        tags,
        summary: 'Undo a merge from its audit record',
        params: IdParams,
        response: { 200: Type.Object({ customer: CustomerSchema, restored: CustomerSchema }), ...errors(401, 403, 404, 409) },
      },
    },
    async (req) => merge.undo(requestActor(req), req.params.id),
  );

  app.get(
    '/api/customers/:customerNumber/export',
    {
      config: { access: EDITORS },
      schema: { tags, summary: 'Everything held about the customer, as JSON', params: CustomerNumberParams, response: { 200: ExportSchema, ...errors(401, 403, 404) } },
    },
    async (req, reply) => {
      const id = await idOf(req.params.customerNumber);
      const document = await privacy.export(requestActor(req), id);
      return reply.header('content-disposition', `attachment; filename="customer-${id}.json"`).send(document);
    },
  );

  app.post(
    '/api/customers/:customerNumber/erase',
    {
      config: { access: EDITORS },
      schema: {
        tags,
        summary: 'Erase personal info and release identifiers; history stays anonymised',
        params: CustomerNumberParams,
        body: Type.Object({ confirmRegistrationNo: Type.String({ minLength: 10, maxLength: 20 }) }, { additionalProperties: false }),
        response: { 200: CustomerSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => privacy.erase(requestActor(req), await idOf(req.params.customerNumber), req.body.confirmRegistrationNo),
  );

  app.post(
    '/api/customers/:customerNumber/portal-password',
    {
      config: { access: EDITORS },
      schema: {
        tags,
        summary: 'Set the password the customer uses on the portal',
        params: CustomerNumberParams,
        body: Type.Object({ password: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      if (req.principal?.type !== 'staff') throw new ForbiddenError();
      await customers.setPortalPassword(requestActor(req), await idOf(req.params.customerNumber), req.body.password);
      return reply.status(204).send(null);
    },
  );
}
