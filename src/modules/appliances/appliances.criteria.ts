import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { SegmentCriterion } from '../../platform/segments.js';

const PRODUCT_TYPES = ['washer', 'microwave', 'dvd_recorder', 'rice_cooker', 'air_conditioner', 'pc', 'other'] as const;

/** "Used appliance function Z" as a segment criterion, from the usage rollups (A-5). */
export const applianceUsed: SegmentCriterion<{
  productType?: (typeof PRODUCT_TYPES)[number];
  model?: string;
  functionCode?: string;
  withinDays?: number;
  minUses?: number;
}> = {
  name: 'appliance_used',
  label: 'Used an appliance function',
  description: 'Used an appliance (of a product type or model, a function) at least N times, last within the last N days',
  module: 'appliances',
  params: Type.Object(
    {
      productType: Type.Optional(Type.Union(PRODUCT_TYPES.map((t) => Type.Literal(t)))),
      model: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })),
      functionCode: Type.Optional(Type.String({ pattern: '^[A-Z]-[0-9]{2}$' })),
      withinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
      minUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    },
    { additionalProperties: false },
  ),
  toSql: ({ productType, model, functionCode, withinDays, minUses }) => sql<boolean>`c.id in (
    select r.customer_id from appliance_usage_monthly u
    join appliance_registrations r on r.id = u.registration_id
    ${productType ? sql`join appliance_models m on m.model = u.model and m.product_type = ${productType}` : sql``}
    where u.uses > 0
    ${model ? sql`and u.model = ${model}` : sql``}
    ${functionCode ? sql`and u.function_code = ${functionCode}` : sql``}
    ${withinDays ? sql`and u.usage_month >= date_trunc('month', now() - make_interval(days => ${withinDays}))::date and u.last_use_at >= now() - make_interval(days => ${withinDays})` : sql``}
    group by r.customer_id
    ${minUses ? sql`having sum(u.uses) >= ${minUses}` : sql``})`,
};
