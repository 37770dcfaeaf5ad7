import { Type } from '@sinclair/typebox';
import { errors, IdParams } from '../../platform/http/common-schemas.js';
import type { Surface } from '../../platform/http/surface.js';
import { ForbiddenError } from '../../platform/errors.js';
import type { OrganisationsService } from './organisations.service.js';
import type { OrgKind } from './organisations.repository.js';

const OrgSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  grantedFields: Type.Optional(Type.Array(Type.String())),
});
const CreateBody = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    grantedFields: Type.Optional(Type.Array(Type.String({ maxLength: 50 }), { maxItems: 30 })),
  },
  { additionalProperties: false },
);

/** Stores, facilities and partners. Store and facility staff see only their own organisation. */
export function registerOrganisationRoutes(app: Surface, orgs: OrganisationsService): void {
  for (const kind of ['stores', 'facilities', 'partners'] as OrgKind[]) {
    const tags = ['organisations'];
    const own = kind === 'stores' ? 'store' : kind === 'facilities' ? 'facility' : null;

    app.get(
      `/api/${kind}`,
      { config: { access: ['admin', 'sales'] }, schema: { tags, summary: `All ${kind}`, response: { 200: Type.Object({ items: Type.Array(OrgSchema) }), ...errors(401, 403) } } },
      async () => ({ items: await orgs.list(kind) }),
    );

    app.get(
      `/api/${kind}/:id`,
      {
        config: { access: own ? ['admin', 'sales', own] : ['admin', 'sales'] },
        schema: { tags, summary: `One of the ${kind}`, params: IdParams, response: { 200: OrgSchema, ...errors(401, 403, 404) } },
      },
      async (req) => {
        const p = req.principal;
        if (p?.type === 'staff' && p.role === 'store' && p.storeId !== req.params.id) throw new ForbiddenError('Store staff may only see their own store');
        if (p?.type === 'staff' && p.role === 'facility' && p.facilityId !== req.params.id) {
          throw new ForbiddenError('Facility staff may only see their own facility');
        }
        return orgs.get(kind, req.params.id);
      },
    );

    app.post(
      `/api/${kind}`,
      {
        config: { access: ['admin'] },
        schema: { tags, summary: `Create one of the ${kind}`, body: CreateBody, response: { 201: OrgSchema, ...errors(400, 401, 403, 409) } },
      },
      async (req, reply) => reply.status(201).send(await orgs.create(kind, req.body)),
    );
  }
}
