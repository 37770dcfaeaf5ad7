import { createReadStream, existsSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { errors, IdParams } from '../../platform/http/common-schemas.js';
import type { Surface } from '../../platform/http/surface.js';
import { requestActor } from '../../platform/http/request-actor.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import type { CustomersService } from '../customers/index.js';
import type { CampaignsService } from './campaigns.service.js';
import type { DeliveryService } from './delivery.service.js';
import type { SegmentCriteriaRegistry } from './segment-criteria.registry.js';
import type { SegmentsService } from './segments.service.js';
import type { TemplatesService } from './templates.service.js';
import { renderTemplate } from './template-renderer.js';
import type { MessageContextRegistry } from './message-context.js';
import type { SendStatus } from './messaging.tables.js';
import { sendLogRepository } from './messaging.repository.js';
import type { Db } from '../../platform/db/database.js';

export interface MessagingRouteDeps {
  db: Db;
  templates: TemplatesService;
  segments: SegmentsService;
  campaigns: CampaignsService;
  delivery: DeliveryService;
  criteria: SegmentCriteriaRegistry;
  context: MessageContextRegistry;
  customers: CustomersService;
}

const MARKETING = ['admin', 'sales'] as const;
/** Success bodies are described in the README; errors follow the common shape. */
const okOr = (...statuses: number[]) => ({ 200: Type.Unknown(), 201: Type.Unknown(), ...errors(...statuses) });
const Channel = Type.Union([Type.Literal('email'), Type.Literal('postal_mail')]);
const Definition = Type.Object(
  {
    match: Type.Union([Type.Literal('all'), Type.Literal('any')]),
    criteria: Type.Array(
      Type.Object(
        { criterion: Type.String({ minLength: 1, maxLength: 64 }), params: Type.Optional(Type.Record(Type.String(), Type.Unknown())), negate: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
      { maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
const TemplateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    channel: Channel,
    subject: Type.String({ minLength: 1, maxLength: 500 }),
    bodyText: Type.String({ minLength: 1, maxLength: 100_000 }),
    bodyHtml: Type.Optional(Type.Union([Type.String({ maxLength: 200_000 }), Type.Null()])),
    qrUrl: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const CampaignBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    templateId: Type.Integer({ minimum: 1 }),
    segmentId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    kind: Type.Union(['one_off', 'scheduled', 'recurring', 'triggered'].map((k) => Type.Literal(k))),
    sendAt: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    cron: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    triggerName: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
);

/** Templates, segments, campaigns and the send log, in the staff console. */
export function registerMessagingConsoleRoutes(app: Surface, d: MessagingRouteDeps): void {
  const tags = ['messaging'];
  const access = { access: MARKETING };

  app.get('/api/messaging/criteria', { config: access, schema: { tags, summary: 'Segment criteria the modules registered' } }, async () => ({
    items: d.criteria.list().map((c) => ({ name: c.name, label: c.label, description: c.description, module: c.module, params: c.params })),
    contextProviders: d.context.names(),
  }));

  // templates
  app.get('/api/templates', { config: access, schema: { tags, summary: 'Message templates' } }, async () => ({ items: await d.templates.list() }));
  app.get('/api/templates/:id', { config: access, schema: { tags, params: IdParams, response: okOr(401, 403, 404) } }, async (req) => d.templates.get(req.params.id));
  app.post(
    '/api/templates',
    { config: access, schema: { tags, summary: 'Create a template (Mustache: {{customer.name}} …)', body: TemplateBody, response: okOr(400, 401, 403, 409) } },
    async (req, reply) => reply.status(201).send(await d.templates.create(req.body as never)),
  );
  app.patch(
    '/api/templates/:id',
    { config: access, schema: { tags, params: IdParams, body: Type.Partial(Type.Omit(TemplateBody, ['channel'])), response: okOr(400, 401, 403, 404, 409) } },
    async (req) => d.templates.update(req.params.id, req.body as never),
  );
  app.post(
    '/api/templates/:id/preview',
    {
      config: access,
      schema: {
        tags,
        summary: 'Render a template for a real customer',
        params: IdParams,
        body: Type.Object({ customerNumber: Type.String({ minLength: 1, maxLength: 20 }), trigger: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }, { additionalProperties: false }),
        response: okOr(400, 401, 403, 404),
      },
    },
    async (req) => {
      const template = await d.templates.get(req.params.id);
      const id = await d.customers.resolveNumber(req.body.customerNumber);
      const profile = (await d.customers.messagingProfiles([id])).get(id)!;
      const extra = (await d.context.load([id])).get(id) ?? {};
      const view = {
        customer: { ...profile.personal, customerNumber: profile.customerNumber, registrationNo: profile.registrationNoFormatted, rank: profile.rank },
        ...extra,
        trigger: req.body.trigger ?? {},
        campaign: { name: '(preview)' },
        unsubscribeUrl: await d.delivery.unsubscribeUrl(0, id, template.channel),
      };
      return { ...renderTemplate(template, view), consent: profile.consent };
    },
  );

  // segments
  app.get('/api/segments', { config: access, schema: { tags, summary: 'Saved segments' } }, async () => ({ items: await d.segments.list() }));
  app.get('/api/segments/:id', { config: access, schema: { tags, params: IdParams, response: okOr(401, 403, 404) } }, async (req) => d.segments.get(req.params.id));
  app.post(
    '/api/segments',
    { config: access, schema: { tags, summary: 'Save a segment', body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), definition: Definition }, { additionalProperties: false }), response: okOr(400, 401, 403, 409) } },
    async (req, reply) => reply.status(201).send(await d.segments.create(req.body.name, req.body.definition as never)),
  );
  app.patch(
    '/api/segments/:id',
    { config: access, schema: { tags, params: IdParams, body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), definition: Type.Optional(Definition) }, { additionalProperties: false }), response: okOr(400, 401, 403, 404, 409) } },
    async (req) => d.segments.update(req.params.id, req.body as never),
  );
  app.post(
    '/api/segments/count',
    { config: access, schema: { tags, summary: 'How many customers a definition matches (live count while editing)', body: Type.Object({ definition: Definition }, { additionalProperties: false }), response: okOr(400, 401, 403) } },
    async (req) => d.segments.count(req.body.definition as never),
  );

  // campaigns
  app.get('/api/campaigns', { config: access, schema: { tags, summary: 'Campaigns' } }, async () => ({ items: await d.campaigns.list() }));
  app.get(
    '/api/campaigns/:id',
    { config: access, schema: { tags, summary: 'A campaign with its runs and their progress', params: IdParams, response: okOr(401, 403, 404) } },
    async (req) => ({ ...(await d.campaigns.get(req.params.id)), runs: await d.campaigns.runs(req.params.id) }),
  );
  app.post(
    '/api/campaigns',
    { config: access, schema: { tags, summary: 'Create a campaign (draft)', body: CampaignBody, response: okOr(400, 401, 403) } },
    async (req, reply) => {
      const actor = requestActor(req);
      return reply.status(201).send(await d.campaigns.create(req.body as never, actor.label));
    },
  );
  for (const action of ['start', 'pause', 'resume', 'cancel'] as const) {
    app.post(
      `/api/campaigns/:id/${action}`,
      { config: access, schema: { tags, summary: `${action[0]!.toUpperCase()}${action.slice(1)} a campaign`, params: IdParams, response: okOr(401, 403, 404, 409) } },
      async (req) => d.campaigns[action](req.params.id),
    );
  }
  app.get(
    '/api/campaign-runs/:id',
    { config: access, schema: { tags, summary: 'A run and its progress by status', params: IdParams, response: okOr(401, 403, 404) } },
    async (req) => d.campaigns.run(req.params.id),
  );
  app.get(
    '/api/campaign-runs/:id/print.pdf',
    { config: access, schema: { tags, summary: 'The print-shop PDF of a postal run (one letter per page)', params: IdParams, response: okOr(401, 403, 404, 409) } },
    async (req, reply) => {
      const run = await d.campaigns.run(req.params.id);
      if (run.status !== 'done') throw new ConflictError('run_not_done', 'The letters are printed when the run is done');
      let file = d.delivery.printFile(run.id);
      if (!existsSync(file)) file = (await d.delivery.print(run.id)).file;
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="campaign-run-${run.id}.pdf"`)
        .send(createReadStream(file));
    },
  );

  // send log
  app.get(
    '/api/send-log',
    {
      config: access,
      schema: {
        tags,
        summary: 'Who was sent what: the send log, newest first',
        querystring: Type.Object(
          {
            customerNumber: Type.Optional(Type.String({ maxLength: 20 })),
            campaignId: Type.Optional(Type.Integer({ minimum: 1 })),
            status: Type.Optional(
              Type.Union(
                ['queued', 'sending', 'sent', 'failed', 'skipped_no_consent', 'skipped_no_address', 'bounced', 'cancelled'].map((x) =>
                  Type.Literal(x),
                ),
              ),
            ),
            channel: Type.Optional(Channel),
            before: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: okOr(400, 401, 403, 404),
      },
    },
    async (req) => {
      const q = req.query;
      const customerId = q.customerNumber ? await d.customers.resolveNumber(q.customerNumber) : undefined;
      const rows = await sendLogRepository.search(d.db, {
        ...(customerId !== undefined ? { customerId } : {}),
        ...(q.campaignId ? { campaignId: q.campaignId } : {}),
        ...(q.status ? { status: q.status as SendStatus } : {}),
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.before ? { before: q.before } : {}),
        limit: q.limit,
      });
      return {
        items: rows.map((r) => ({
          id: r.id,
          customerNumber: String(r.customer_id),
          campaignId: r.campaign_id,
          runId: r.run_id,
          trigger: r.trigger_name,
          channel: r.channel,
          status: r.status,
          recipient: r.recipient,
          subject: r.subject,
          attempts: r.attempts,
          error: r.error,
          queuedAt: r.queued_at.toISOString(),
          sentAt: r.sent_at?.toISOString() ?? null,
        })),
      };
    },
  );
}

const page = (title: string, body: string) =>
  `<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>` +
  `<style>body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.6}button{font-size:1rem;padding:.6rem 1.2rem}</style></head><body>${body}</body></html>`;

/** The unsubscribe link of every mail, on the portal: a page with a button, and RFC 8058 one-click POST. */
export function registerUnsubscribeRoutes(app: Surface, delivery: DeliveryService): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));
  const Token = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }) }, { additionalProperties: false });

  app.get('/u/:token', { config: { access: 'public' }, schema: { hide: true, params: Token } }, async (req, reply) => {
    const valid = await delivery.verifyUnsubscribeToken(req.params.token);
    if (!valid) return reply.status(404).type('text/html').send(page('Link not valid', '<h1>このリンクは無効です</h1><p>This unsubscribe link is not valid.</p>'));
    const what = valid.channel === 'email' ? 'メール / e-mail' : 'ダイレクトメール / postal mail';
    return reply
      .type('text/html')
      .send(
        page(
          'Unsubscribe',
          `<h1>配信停止 / Unsubscribe</h1><p>${what} の配信を停止しますか？<br>Stop receiving ${valid.channel === 'email' ? 'e-mail' : 'postal mail'} from us?</p>` +
            `<form method="post"><button type="submit">配信を停止する / Unsubscribe</button></form>`,
        ),
      );
  });

  app.post('/u/:token', { config: { access: 'public' }, schema: { hide: true, params: Token } }, async (req, reply) => {
    const done = await delivery.unsubscribe(req.params.token, requestActor(req));
    if (!done) throw new NotFoundError('unsubscribe link');
    return reply.type('text/html').send(page('Unsubscribed', '<h1>配信を停止しました</h1><p>You are unsubscribed. You can give consent again on the portal at any time.</p>'));
  });
}
