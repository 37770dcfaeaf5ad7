import { Type } from '@sinclair/typebox';
import { ForbiddenError } from '../../platform/errors.js';
import { errors } from '../../platform/http/common-schemas.js';
import type { Surface } from '../../platform/http/surface.js';
import type { CustomersService } from './customers.service.js';
import { partnerView } from './customer-views.js';

/** The information-exchange surface: partners read a customer's granted fields, nothing else. */
export function registerPartnerCustomerRoutes(
  app: Surface,
  deps: { customers: CustomersService; grantedFields: (partnerId: number) => Promise<string[]> },
): void {
  app.get(
    '/api/customers/lookup',
    {
      config: { access: ['partner', 'key:partner'] },
      schema: {
        tags: ['partner'],
        summary: 'Read the granted fields of one customer, by customer number, registration number or identifier',
        querystring: Type.Object({ identifier: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: Type.Record(Type.String(), Type.Unknown()), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const partnerId = req.principal && 'partnerId' in req.principal ? req.principal.partnerId : null;
      if (!partnerId) throw new ForbiddenError('Not bound to a partner');
      const view = await deps.customers.lookup(req.query.identifier);
      if (view.status !== 'active') throw new ForbiddenError('This customer’s data is not available');
      return partnerView(view, await deps.grantedFields(partnerId));
    },
  );
}
