import { Type } from '@sinclair/typebox';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.js';
import { csvBodyRows } from '../../platform/http/csv-body.js';
import { errors, IdParams } from '../../platform/http/common-schemas.js';
import type { Surface } from '../../platform/http/surface.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { CustomersService } from '../customers/index.js';
import { CustomerNumberParams } from '../customers/customers.schemas.js';
import { canonicalNumber } from './appliance-record.js';
import { monthOf, parseMonth, type Month } from './appliance-time.js';
import type { ProductType } from './appliances.tables.js';
import type { AnalysisService } from './analysis.service.js';
import { billPdf, receiptPdf } from './billing-pdf.js';
import type { BillingService } from './billing.service.js';
import { PRODUCT_TYPES, type CatalogService, type ModelInput } from './catalog.service.js';
import type { RecalculationService } from './recalculation.service.js';
import { registrationsRepository } from './registrations.repository.js';
import { usageRepository } from './usage.repository.js';
import type { Db } from '../../platform/db/database.js';

export interface ApplianceConsoleDeps {
  db: Db;
  catalog: CatalogService;
  analysis: AnalysisService;
  billing: BillingService;
  recalculation: RecalculationService;
  customers: CustomersService;
}

const READERS = ['admin', 'sales'] as const;
const ADMIN = ['admin'] as const;
const MonthText = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });
const MonthParams = Type.Object({ month: MonthText }, { additionalProperties: false });
const ProductTypeSchema = Type.Unsafe<ProductType>({ type: 'string', enum: [...PRODUCT_TYPES] });
const MfgParams = Type.Object({ manufacturingNumber: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const FunctionSchema = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Z]-[0-9]{2}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    perUseYen: Type.Number({ minimum: 0, maximum: 1_000_000 }),
    perMinuteYen: Type.Number({ minimum: 0, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);
const ModelSchema = Type.Object({
  model: Type.String(),
  productType: ProductTypeSchema,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  additionalCodes: Type.Array(
    Type.Object({ code: Type.String({ pattern: '^[A-Z]$' }), name: Type.String({ minLength: 1, maxLength: 100 }), unit: Type.String({ maxLength: 20 }) }, { additionalProperties: false }),
    { maxItems: 26 },
  ),
  basicFunctions: Type.Array(Type.String(), { maxItems: 100 }),
  monthlyBaseYen: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
  discountThresholdMinutes: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  discountPercent: Type.Number({ minimum: 0, maximum: 100 }),
  functions: Type.Array(FunctionSchema, { maxItems: 100 }),
});
const ImportResult = Type.Object({
  inserted: Type.Integer(),
  updated: Type.Integer(),
  rejected: Type.Array(Type.Object({ line: Type.Integer(), problems: Type.Array(Type.Object({ field: Type.String(), message: Type.String() })) })),
});
/** Answers described in docs/appliances.md; serialised as they are. */
const Loose = Type.Unsafe<any>({ type: 'object', additionalProperties: true });

const month = (text: string): Month => {
  const m = parseMonth(text);
  if (!m) throw new ValidationError([{ field: 'month', message: 'must be YYYY-MM' }]);
  return m;
};
const who = (p: Principal | null) => (p?.type === 'staff' ? `${p.displayName} (${p.username})` : 'unknown');

/** Appliances in the staff console: catalog, production list, analysis, customers' usage, billing. */
export function registerApplianceConsoleRoutes(app: Surface, deps: ApplianceConsoleDeps): void {
  const { db, catalog, analysis, billing, recalculation, customers } = deps;
  const tags = ['appliances'];

  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 64 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  }

  // ---- merchandise database ----
  app.get(
    '/api/appliance-models',
    { config: { access: READERS }, schema: { tags, summary: 'Appliance models with their function code lists and tariffs', response: { 200: Type.Object({ items: Type.Array(ModelSchema) }) } } },
    async () => ({ items: await catalog.models() }),
  );
  app.put(
    '/api/appliance-models/:model',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Create or replace a model: product type, function code list with tariffs, additional codes, basic functions, monthly base, discount',
        params: Type.Object({ model: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object(
          {
            productType: ProductTypeSchema,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            additionalCodes: Type.Optional(ModelSchema.properties.additionalCodes),
            basicFunctions: Type.Optional(ModelSchema.properties.basicFunctions),
            monthlyBaseYen: Type.Optional(ModelSchema.properties.monthlyBaseYen),
            discountThresholdMinutes: Type.Optional(ModelSchema.properties.discountThresholdMinutes),
            discountPercent: Type.Optional(ModelSchema.properties.discountPercent),
            functions: Type.Array(FunctionSchema, { minItems: 1, maxItems: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: ModelSchema, ...errors(400, 401, 403) },
      },
    },
    async (req) => catalog.upsertModel({ ...(req.body as Omit<ModelInput, 'model'>), model: req.params.model }),
  );
  app.post(
    '/api/appliances/import',
    {
      config: { access: ADMIN },
      schema: { tags, summary: 'Import the production list (text/csv: manufacturing_number,model,secret); re-importing replaces secrets', response: { 200: ImportResult, ...errors(400, 401, 403, 415) } },
    },
    async (req) => {
      const records = csvBodyRows(req);
      if (records.length === 0) throw new ValidationError([{ field: 'body', message: 'holds no rows (a header row and at least one appliance)' }]);
      const unknown = catalog.unknownColumns(Object.keys(records[0]?.values ?? {}));
      if (unknown.length) throw new ValidationError([{ field: 'body', message: `unknown columns: ${unknown.join(', ')}` }]);
      const result = { inserted: 0, updated: 0, rejected: [] as { line: number; problems: { field: string; message: string }[] }[] };
      for (let i = 0; i < records.length; i += 5000) {
        const r = await catalog.importProduction(records.slice(i, i + 5000));
        result.inserted += r.inserted;
        result.updated += r.updated;
        result.rejected.push(...r.rejected);
      }
      return result;
    },
  );
  app.get(
    '/api/appliances',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Appliances on the production list, by manufacturing number (keyset paging with after)',
        querystring: Type.Object(
          {
            model: Type.Optional(Type.String({ maxLength: 64 })),
            productType: Type.Optional(ProductTypeSchema),
            state: Type.Optional(Type.Union([Type.Literal('locked'), Type.Literal('registered')])),
            q: Type.Optional(Type.String({ maxLength: 64 })),
            after: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Loose) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await catalog.list({
        ...(q.model ? { model: q.model } : {}),
        ...(q.productType ? { productType: q.productType as ProductType } : {}),
        ...(q.state ? { state: q.state } : {}),
        ...(q.q ? { prefix: canonicalNumber(q.q) } : {}),
        ...(q.after ? { after: q.after } : {}),
        limit: q.limit,
      });
      return {
        items: rows.map((r) => ({
          manufacturingNumber: r.manufacturing_number,
          model: r.model,
          modelName: r.model_name,
          productType: r.product_type,
          state: r.customer_id === null ? 'locked' : 'registered',
          customerNumber: r.customer_id === null ? null : String(r.customer_id),
          registeredAt: r.registered_at?.toISOString() ?? null,
          area: r.area || null,
          lastSeq: r.last_seq,
          lastSeenAt: r.last_seen_at?.toISOString() ?? null,
        })),
      };
    },
  );
  app.get(
    '/api/appliances/:manufacturingNumber',
    { config: { access: READERS }, schema: { tags, summary: 'One appliance: its registrations (merchandise data) and latest records', params: MfgParams, response: { 200: Loose, ...errors(401, 403, 404) } } },
    async (req) => {
      const mfg = canonicalNumber(req.params.manufacturingNumber);
      const appliance = await catalog.find(mfg);
      if (!appliance) throw new NotFoundError('appliance', mfg);
      const [regs, records] = await Promise.all([registrationsRepository.ofAppliance(db, mfg), usageRepository.recordsOf(db, mfg, 50)]);
      return {
        manufacturingNumber: mfg,
        model: appliance.model,
        state: appliance.registration_id === null ? 'locked' : 'registered',
        importedAt: appliance.imported_at.toISOString(),
        lastSeq: appliance.last_seq,
        lastSeenAt: appliance.last_seen_at?.toISOString() ?? null,
        registrations: regs.map((r) => ({
          customerNumber: String(r.customer_id),
          cardNumber: r.card_number,
          area: r.area || null,
          source: r.source,
          firstSeq: r.first_seq,
          endSeq: r.end_seq,
          registeredAt: r.registered_at.toISOString(),
          endedAt: r.ended_at?.toISOString() ?? null,
        })),
        latestRecords: records.map((r) => ({
          seq: r.seq,
          type: r.kind === 1 ? 'first-use' : 'usage',
          at: r.at.toISOString(),
          receivedAt: r.received_at.toISOString(),
          function: r.function_code ? `${r.function_code}${r.param_code ? `-${r.param_code}-${String(r.param_value).padStart(2, '0')}` : ''}` : null,
          durationSec: r.duration_sec,
          continued: r.continued,
          billMonth: r.bill_month?.slice(0, 7) ?? null,
        })),
      };
    },
  );

  // ---- analysis ----
  app.get(
    '/api/appliance-analysis/selection',
    { config: { access: READERS }, schema: { tags, summary: 'Product types, models and functions to choose an analysis from (FIG. 7(a))', response: { 200: Loose } } },
    async () => analysis.selection(),
  );
  app.get(
    '/api/appliance-analysis',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'Usage analysis of a product type or model, optionally one function: customers, time, per person per month, histograms, areas',
        querystring: Type.Object(
          {
            productType: Type.Optional(ProductTypeSchema),
            model: Type.Optional(Type.String({ maxLength: 64 })),
            function: Type.Optional(Type.String({ pattern: '^[A-Z]-[0-9]{2}$' })),
            from: Type.Optional(MonthText),
            to: Type.Optional(MonthText),
          },
          { additionalProperties: false },
        ),
        response: { 200: Loose, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const q = req.query;
      return analysis.analyse({
        ...(q.productType ? { productType: q.productType as ProductType } : {}),
        ...(q.model ? { model: q.model } : {}),
        ...(q.function ? { functionCode: q.function } : {}),
        ...(q.from ? { from: month(q.from) } : {}),
        ...(q.to ? { to: month(q.to) } : {}),
      });
    },
  );
  app.get(
    '/api/customers/:customerNumber/appliances',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'A customer’s appliances: usage and charge per appliance and function for a month, and totals (FIG. 8(a))',
        params: CustomerNumberParams,
        querystring: Type.Object({ month: Type.Optional(MonthText) }, { additionalProperties: false }),
        response: { 200: Loose, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const id = await customers.resolveNumber(req.params.customerNumber);
      return billing.customerAppliances(id, req.query.month ? month(req.query.month) : monthOf(new Date()));
    },
  );
  app.post(
    '/api/appliance-recalculations',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Recalculate the analysis rollups from the raw records (A-9), for a range of months or everything; runs as a job',
        body: Type.Object({ from: Type.Optional(MonthText), to: Type.Optional(MonthText) }, { additionalProperties: false }),
        response: { 202: Loose, ...errors(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const { from, to } = req.body;
      const range = from || to ? { from: month(from ?? to!), to: month(to ?? from!) } : null;
      return reply.status(202).send(await recalculation.request(who(req.principal), range));
    },
  );
  app.get(
    '/api/appliance-recalculations',
    { config: { access: READERS }, schema: { tags, summary: 'Recent recalculations and their outcome', response: { 200: Type.Object({ items: Type.Array(Loose) }) } } },
    async () => ({ items: await recalculation.recent() }),
  );
  app.get(
    '/api/appliance-recalculations/:id',
    { config: { access: READERS }, schema: { tags, summary: 'One recalculation', params: IdParams, response: { 200: Loose, ...errors(404) } } },
    async (req) => recalculation.get(req.params.id),
  );

  // ---- billing ----
  app.get(
    '/api/appliance-billing',
    { config: { access: READERS }, schema: { tags, summary: 'Closed billing months', response: { 200: Type.Object({ closed: Type.Array(Loose), currentMonth: Type.String() }) } } },
    async () => ({ closed: await billing.closedMonths(), currentMonth: monthOf(new Date()).slice(0, 7) }),
  );
  app.get(
    '/api/appliance-billing/:month',
    { config: { access: READERS }, schema: { tags, summary: 'The charge calculation of a month (FIG. 8(b)): every customer’s charge; frozen once closed', params: MonthParams, response: { 200: Loose, ...errors(400, 401, 403) } } },
    async (req) => billing.month(month(req.params.month)),
  );
  app.get(
    '/api/appliance-billing/:month/customers/:customerNumber',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'A customer’s bill of a month with its lines (provisional while the month is open)',
        params: Type.Object({ month: MonthText, customerNumber: CustomerNumberParams.properties.customerNumber }),
        response: { 200: Type.Object({ bills: Type.Array(Loose) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => ({ bills: await billing.customerBills(month(req.params.month), await customers.resolveNumber(req.params.customerNumber)) }),
  );
  app.get(
    '/api/appliance-billing/:month/customers/:customerNumber/bill.pdf',
    {
      config: { access: READERS },
      schema: {
        tags,
        summary: 'The bill as PDF (provisional while the month is open)',
        params: Type.Object({ month: MonthText, customerNumber: CustomerNumberParams.properties.customerNumber }),
      },
    },
    async (req, reply) => {
      const id = await customers.resolveNumber(req.params.customerNumber);
      const bills = await billing.customerBills(month(req.params.month), id);
      if (bills.length === 0) throw new NotFoundError('bill', `${req.params.month}/${id}`);
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="bill-${req.params.month}-${id}.pdf"`)
        .send(await billPdf(bills));
    },
  );
  app.post(
    '/api/appliance-billing/:month/close',
    { config: { access: ADMIN }, schema: { tags, summary: 'Close a month: its bills are issued and frozen; later records go on the next bill as late usage', params: MonthParams, response: { 200: Loose, ...errors(400, 401, 403, 409) } } },
    async (req) => billing.close(month(req.params.month), who(req.principal)),
  );
  app.get(
    '/api/appliance-bills/:id',
    { config: { access: READERS }, schema: { tags, summary: 'An issued bill', params: IdParams, response: { 200: Loose, ...errors(401, 403, 404) } } },
    async (req) => billing.billById(req.params.id),
  );
  app.post(
    '/api/appliance-bills/:id/payment',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Record the payment of a bill (then its receipt can be printed)',
        params: IdParams,
        body: Type.Object({ paidAt: Type.Optional(Type.String({ format: 'date-time' })) }, { additionalProperties: false }),
        response: { 200: Loose, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => billing.markPaid(req.params.id, req.body.paidAt ? new Date(req.body.paidAt) : new Date()),
  );
  app.get(
    '/api/appliance-bills/:id/bill.pdf',
    { config: { access: READERS }, schema: { tags, summary: 'An issued bill as PDF', params: IdParams } },
    async (req, reply) => {
      const bill = await billing.billById(req.params.id);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${bill.number}.pdf"`).send(await billPdf([bill]));
    },
  );
  app.get(
    '/api/appliance-bills/:id/receipt.pdf',
    { config: { access: READERS }, schema: { tags, summary: 'The receipt of a paid bill as PDF', params: IdParams } },
    async (req, reply) => {
      const bill = await billing.billById(req.params.id);
      if (!bill.paidAt) throw new ConflictError('bill_unpaid', `Bill ${bill.number} is not paid yet`);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="${bill.number}-receipt.pdf"`).send(await receiptPdf(bill));
    },
  );
}
