import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, UnauthenticatedError } from '../../platform/errors.js';
import { errors } from '../../platform/http/common-schemas.js';
import type { Surface } from '../../platform/http/surface.js';
import { canonicalNumber } from './appliance-record.js';
import type { DeviceAuthenticator } from './device-auth.js';
import type { UsageIngestService } from './usage-ingest.service.js';

const MfgParams = Type.Object({ manufacturingNumber: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const StateSchema = Type.Object({
  state: Type.Union([Type.Literal('locked'), Type.Literal('registered')]),
  customerNumber: Type.Optional(Type.String()),
  seq: Type.Optional(Type.Integer()),
});
const RecordSchema = Type.Object({}, { additionalProperties: true, description: 'A first-use or usage record (see docs/appliances.md)' });
const ResultSchema = Type.Object({
  seq: Type.Union([Type.Integer(), Type.Null()]),
  status: Type.Union([Type.Literal('stored'), Type.Literal('duplicate'), Type.Literal('rejected')]),
  error: Type.Optional(Type.Object({ seq: Type.Union([Type.Integer(), Type.Null()]), code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) })),
});

/** HTTP Basic: the manufacturing number and the device secret, the same credentials as MQTT. */
async function authenticateDevice(req: FastifyRequest, reply: FastifyReply, auth: DeviceAuthenticator): Promise<string> {
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  const mfg = colon > 0 ? await auth.verify(decoded.slice(0, colon), decoded.slice(colon + 1)) : null;
  const wanted = canonicalNumber((req.params as { manufacturingNumber: string }).manufacturingNumber);
  if (!mfg || mfg !== wanted) {
    void reply.header('www-authenticate', 'Basic realm="clientele appliances", charset="UTF-8"');
    throw new UnauthenticatedError('invalid_credentials', 'Send the manufacturing number and device secret of this appliance (HTTP Basic)');
  }
  return mfg;
}

/**
 * The HTTP equivalent of the MQTT contract, on the ingest surface. Appliances authenticate
 * with HTTP Basic (manufacturing number : device secret) — the same per-device credentials as
 * MQTT, so a leaked credential speaks for one appliance only (a fleet-wide `device` API key
 * would speak for all). The access rule is therefore 'public' and the route checks the
 * credentials itself.
 */
export function registerApplianceIngestRoutes(app: Surface, deps: { ingest: UsageIngestService; deviceAuth: DeviceAuthenticator }): void {
  const { ingest, deviceAuth } = deps;
  const tags = ['appliances'];
  const authenticated = new WeakMap<FastifyRequest, string>();

  app.post(
    '/api/appliances/:manufacturingNumber/records',
    {
      config: { access: 'public' },
      // Credentials before the body: a stranger learns nothing about what a valid body is.
      preValidation: async (req, reply) => {
        authenticated.set(req, await authenticateDevice(req, reply, deviceAuth));
      },
      schema: {
        tags,
        summary: 'Send records of one appliance (one record, or up to 500 in seq order); HTTP Basic with the manufacturing number and device secret',
        description:
          'Answers once the records are durably stored. Each record gets a result: stored, duplicate (the same seq was stored before) or ' +
          'rejected (not stored; with the reason). 503 means nothing may be assumed stored: send the same records again.',
        params: MfgParams,
        body: Type.Union([RecordSchema, Type.Array(RecordSchema, { minItems: 1, maxItems: 500 })]),
        response: { 200: Type.Object({ results: Type.Array(ResultSchema), state: StateSchema }), ...errors(400, 401, 503) },
      },
    },
    async (req) => {
      const mfg = authenticated.get(req)!;
      const body = req.body as unknown;
      const outcomes = await ingest.submitMany(mfg, Array.isArray(body) ? body : [body]);
      if (outcomes.some((o) => o.status === 'failed')) {
        throw new AppError(503, 'ingest_unavailable', 'The records could not be stored right now; send them again');
      }
      const state = (await ingest.states([mfg])).get(mfg) ?? { state: 'locked' as const };
      return { results: outcomes.map((o) => ({ seq: o.seq, status: o.status as 'stored', ...(o.error ? { error: o.error } : {}) })), state };
    },
  );

  app.get(
    '/api/appliances/:manufacturingNumber/state',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'The appliance’s state (locked or registered); HTTP Basic', params: MfgParams, response: { 200: StateSchema, ...errors(401) } },
    },
    async (req, reply) => {
      const mfg = await authenticateDevice(req, reply, deviceAuth);
      return (await ingest.states([mfg])).get(mfg) ?? { state: 'locked' as const };
    },
  );
}
