import { Type } from '@sinclair/typebox';
import { UnauthenticatedError, ValidationError } from '../../platform/errors.js';
import { csvBodyRows } from '../../platform/http/csv-body.js';
import { errors, IdParams } from '../../platform/http/common-schemas.js';
import { sendWithProgress, wantsProgress, type ReportProgress } from '../../platform/http/ndjson-progress.js';
import type { Surface } from '../../platform/http/surface.js';
import { requestActor } from '../../platform/http/request-actor.js';
import type { AccessService } from '../access/access.service.js';
import type { CustomersService } from '../customers/index.js';
import { PersonalInputSchema, CustomerSchema, CustomerNumberParams } from '../customers/customers.schemas.js';
import { PRODUCT_CATEGORIES, REGISTRATION_FIELDS } from './registration-form.js';
import type { ProductInput, RegistrationRequest, RegistrationService } from './registration.service.js';
import type { DialogueAnswers } from './registration-dialogue.js';
import type { ShippedProductsService } from './shipped-products.service.js';
import type { ProductCategory } from './registration.tables.js';

/** Rows of a shipped list written per statement; the console's progress moves once per batch. */
const SHIPPED_BATCH = 5000;

const Category = Type.Union(PRODUCT_CATEGORIES.map((c) => Type.Literal(c)));
const ProductInputSchema = Type.Object(
  {
    serial: Type.String({ minLength: 1, maxLength: 120 }),
    maker: Type.String({ minLength: 1, maxLength: 100 }),
    model: Type.String({ minLength: 1, maxLength: 100 }),
    category: Category,
    parentSerial: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Null()])),
    details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
const Products = Type.Array(ProductInputSchema, { minItems: 1, maxItems: 50 });
const ProductSchema = Type.Object({
  id: Type.Integer(),
  customerNumber: Type.String(),
  serial: Type.String(),
  maker: Type.String(),
  model: Type.String(),
  category: Type.String(),
  parentSerial: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  source: Type.String(),
  registeredAt: Type.String(),
});
const ResultSchema = Type.Object({
  registrationNo: Type.String(),
  registrationNoFormatted: Type.String(),
  customerNumber: Type.String(),
  products: Type.Array(ProductSchema),
});

// Answers are checked by the dialogue itself, so that a wrong one is asked again rather than refused with a 400.
const Answer = Type.String({ maxLength: 1000 });
const DialogueBody = Type.Object(
  {
    products: Products,
    answers: Type.Object(
      {
        products: Type.Optional(Type.Array(Type.String({ maxLength: 120 }), { maxItems: 50 })),
        customer: Type.Optional(Type.Object(Object.fromEntries(REGISTRATION_FIELDS.map((f) => [f.name, Type.Optional(Answer)])), { additionalProperties: false })),
        emailConsent: Type.Optional(Type.Boolean()),
        password: Type.Optional(Type.String({ maxLength: 200 })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
const Label = Type.Object({ ja: Type.String(), en: Type.String() });
const DialogueStepSchema = Type.Union([
  Type.Object({
    step: Type.Literal('ask'),
    question: Type.Object({
      key: Type.String(),
      type: Type.String(),
      label: Label,
      required: Type.Boolean(),
      minLength: Type.Optional(Type.Integer()),
      maxLength: Type.Optional(Type.Integer()),
      options: Type.Optional(
        Type.Array(Type.Object({ value: Type.String(), label: Type.String(), status: Type.String(), message: Type.String(), selectable: Type.Boolean() })),
      ),
      value: Type.Optional(Type.Union([Type.String(), Type.Boolean(), Type.Array(Type.String())])),
      problem: Type.Optional(Type.String()),
    }),
    answered: Type.Integer(),
    total: Type.Integer(),
  }),
  Type.Object({ step: Type.Literal('ready'), request: Type.Record(Type.String(), Type.Unknown()) }),
  Type.Object({ step: Type.Literal('refused'), error: Type.Object({ code: Type.String(), message: Type.String() }) }),
]);

export interface RegistrationRouteDeps {
  registration: RegistrationService;
  shipped: ShippedProductsService;
  customers: CustomersService;
  access: AccessService;
}

/** The registration dialogue the PC agent drives, on the portal surface. */
export function registerRegistrationPortalRoutes(app: Surface, deps: RegistrationRouteDeps): void {
  const { registration, customers, access } = deps;
  const tags = ['registration'];

  app.get(
    '/api/registration/form',
    { config: { access: 'public' }, schema: { tags, summary: 'What the registration dialogue asks (the server leads, R-7)' } },
    async () => registration.form(),
  );

  app.post(
    '/api/registration/dialogue',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'The dialogue led by the server (R-7): the next question for the answers so far, or the finished request',
        description:
          'Send the products found on the machine and the answers so far. `ask`: show the question (again, with `problem`, ' +
          'when the last answer was not accepted) and call again with its answer under `question.key`. `ready`: POST ' +
          '`request` to /api/registrations with an Idempotency-Key. `refused`: nothing on this machine can be registered. ' +
          'The server keeps nothing between calls.',
        body: DialogueBody,
        response: { 200: DialogueStepSchema, ...errors(400) },
      },
    },
    async (req) => registration.dialogue(req.body.products as ProductInput[], req.body.answers as DialogueAnswers),
  );

  app.post(
    '/api/registration/collate',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Check serials before registering: available, already_registered, unknown or invalid',
        body: Type.Object(
          { products: Type.Array(Type.Object({ serial: Type.String({ minLength: 1, maxLength: 120 }) }), { minItems: 1, maxItems: 50 }) },
          { additionalProperties: true },
        ),
        response: {
          200: Type.Object({ results: Type.Array(Type.Object({ serial: Type.String(), status: Type.String(), message: Type.String() })) }),
          ...errors(400),
        },
      },
    },
    async (req) => ({ results: await registration.collate(req.body.products) }),
  );

  app.post(
    '/api/registrations',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Register products: for a new customer (personal info + password) or an existing one (registration number + password)',
        description: 'Send an Idempotency-Key header so a retry after a lost answer cannot register twice.',
        body: Type.Union([
          Type.Object(
            { customer: PersonalInputSchema, password: Type.String({ maxLength: 200 }), emailConsent: Type.Optional(Type.Boolean()), products: Products },
            { additionalProperties: false },
          ),
          Type.Object(
            {
              existing: Type.Object(
                { registrationNo: Type.String({ minLength: 1, maxLength: 20 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
                { additionalProperties: false },
              ),
              products: Products,
            },
            { additionalProperties: false },
          ),
        ]),
        response: { 201: ResultSchema, ...errors(400, 401, 409, 422, 429) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await registration.register(requestActor(req), req.body as RegistrationRequest, req.ip)),
  );

  app.post(
    '/api/auth/serial-login',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Start an update (R-3): the serial read from the machine and the password open a portal session',
        body: Type.Object(
          { serial: Type.String({ minLength: 1, maxLength: 120 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ customer: CustomerSchema, csrfToken: Type.String() }), ...errors(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const customerId = await registration.verifySerialLogin(req.body.serial, req.body.password, req.ip);
      const session = await access.openSession('portal', { customerId });
      access.setSessionCookie(req, reply, 'portal', session.token);
      return { customer: await customers.get(customerId), csrfToken: session.csrfToken };
    },
  );

  app.get(
    '/api/me/products',
    { config: { access: ['customer'] }, schema: { tags, summary: 'My registered products', response: { 200: Type.Object({ items: Type.Array(ProductSchema) }), ...errors(401) } } },
    async (req) => {
      if (req.principal?.type !== 'customer') throw new UnauthenticatedError();
      return { items: await registration.productsOf(req.principal.customerId) };
    },
  );
}

/** Registrations in the staff console: lists, product pages, the shipped list. */
export function registerRegistrationConsoleRoutes(app: Surface, deps: RegistrationRouteDeps): void {
  const { registration, shipped, customers } = deps;
  const tags = ['registration'];
  const READERS = ['admin', 'sales'] as const;

  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  app.get(
    '/api/registrations',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Registered products, newest first, filtered by category, model, date or serial prefix',
        querystring: Type.Object(
          {
            category: Type.Optional(Category),
            model: Type.Optional(Type.String({ maxLength: 100 })),
            from: Type.Optional(Type.String({ format: 'date' })),
            to: Type.Optional(Type.String({ format: 'date' })),
            serial: Type.Optional(Type.String({ maxLength: 120 })),
            before: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ProductSchema) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const q = req.query;
      const day = (s: string | undefined, plus = 0) => (s ? new Date(Date.parse(`${s}T00:00:00Z`) + plus) : undefined);
      const items = await registration.list({
        ...(q.category ? { category: q.category as ProductCategory } : {}),
        ...(q.model ? { model: q.model } : {}),
        ...(q.from ? { from: day(q.from)! } : {}),
        ...(q.to ? { to: day(q.to, 86_400_000)! } : {}),
        ...(q.serial ? { serial: q.serial.toUpperCase() } : {}),
        ...(q.before ? { beforeId: q.before } : {}),
        limit: q.limit,
      });
      return { items };
    },
  );

  app.get(
    '/api/registrations/summary',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Registrations per product category, and the shipped list',
        response: {
          200: Type.Object({
            categories: Type.Array(Type.Object({ category: Type.String(), count: Type.Integer() })),
            shipped: Type.Object({ count: Type.Integer(), lastImportedAt: Type.Union([Type.String(), Type.Null()]) }),
          }),
        },
      },
    },
    async () => ({ categories: await registration.countByCategory(), shipped: await shipped.stats() }),
  );

  app.get(
    '/api/registrations/:id',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'One registered product with the peripherals registered with it',
        params: IdParams,
        response: { 200: Type.Intersect([ProductSchema, Type.Object({ peripherals: Type.Array(ProductSchema) })]), ...errors(401, 403, 404) },
      },
    },
    async (req) => registration.get(req.params.id),
  );

  app.get(
    '/api/customers/:customerNumber/products',
    {
      config: { access: READERS },
      schema: { tags, summary: 'A customer’s registered products', params: CustomerNumberParams, response: { 200: Type.Object({ items: Type.Array(ProductSchema) }), ...errors(401, 403, 404) } },
    },
    async (req) => ({ items: await registration.productsOf(await customers.resolveNumber(req.params.customerNumber)) }),
  );

  app.post(
    '/api/shipped-products/import',
    {
      config: { access: ['admin'] },
      schema: {
        tags,
        summary: 'Import the manufacturer’s shipped list (text/csv: maker,model,serial,category,ship_date)',
        description:
          'With `Accept: application/x-ndjson` the answer is a stream of lines: `{"progress":{"done","total"}}` after each batch ' +
          'of rows, then `{"result":…}` (the JSON answer below) or `{"error":{"code","message","details"}}`.',
        response: {
          200: Type.Object({
            inserted: Type.Integer(),
            updated: Type.Integer(),
            rejected: Type.Array(Type.Object({ line: Type.Integer(), problems: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })) })),
          }),
          ...errors(400, 401, 403, 415),
        },
      },
    },
    async (req, reply) => {
      const records = csvBodyRows(req);
      if (records.length === 0) throw new ValidationError([{ field: 'body', message: 'holds no rows (a header row and at least one product)' }]);
      const unknown = shipped.unknownColumns(Object.keys(records[0]?.values ?? {}));
      if (unknown.length) throw new ValidationError([{ field: 'body', message: `unknown columns: ${unknown.join(', ')}` }]);
      const run = async (report?: ReportProgress) => {
        const result = { inserted: 0, updated: 0, rejected: [] as { line: number; problems: { field: string; message: string }[] }[] };
        report?.(0, records.length);
        for (let i = 0; i < records.length; i += SHIPPED_BATCH) {
          const r = await shipped.importBatch(records.slice(i, i + SHIPPED_BATCH));
          result.inserted += r.inserted;
          result.updated += r.updated;
          result.rejected.push(...r.rejected);
          report?.(Math.min(i + SHIPPED_BATCH, records.length), records.length);
        }
        return result;
      };
      return wantsProgress(req) ? sendWithProgress(req, reply, run) : run();
    },
  );
}

