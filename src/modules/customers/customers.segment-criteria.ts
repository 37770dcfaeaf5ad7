import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import type { SegmentCriterion } from '../../platform/segments.js';
import { ValidationError } from '../../platform/errors.js';
import { COLUMN_OF, type PersonalField } from './personal-info.js';

const TEXT_FIELDS = ['prefecture', 'city', 'occupation', 'postalCode', 'name', 'nameReading', 'email', 'nickname'] as const;

const attribute: SegmentCriterion<{ field: (typeof TEXT_FIELDS)[number]; op: 'eq' | 'prefix' | 'contains' | 'in' | 'present'; value?: string | string[] }> = {
  name: 'attribute',
  label: 'Personal attribute',
  description: 'A personal field equals, starts with or contains a value, is one of several, or is filled in',
  module: 'customers',
  params: Type.Object(
    {
      field: Type.Union(TEXT_FIELDS.map((f) => Type.Literal(f))),
      op: Type.Union(['eq', 'prefix', 'contains', 'in', 'present'].map((o) => Type.Literal(o))),
      value: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 100 })])),
    },
    { additionalProperties: false },
  ),
  toSql({ field, op, value }) {
    if (op !== 'present' && (value === undefined || (Array.isArray(value) ? value.length === 0 : value === ''))) {
      throw new ValidationError([{ field: 'params.value', message: `is required for "${op}"` }]);
    }
    if (op !== 'in' && Array.isArray(value)) throw new ValidationError([{ field: 'params.value', message: `must be one value for "${op}"` }]);
    const col = sql.ref(`c.${COLUMN_OF[field as PersonalField]}`);
    const text = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
    const escaped = text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
    if (field === 'email' && (op === 'eq' || op === 'in')) {
      // E-mail compares without case (citext); lower(email::text) is what the index holds.
      const values = Array.isArray(value) ? value : [text];
      return sql<boolean>`lower(c.email::text) = any(array(select lower(v) from unnest(${values}::text[]) v))`;
    }
    switch (op) {
      case 'eq':
        return sql<boolean>`${col} = ${text}`;
      case 'prefix':
        return sql<boolean>`${col} like ${`${escaped}%`}`;
      case 'contains':
        return sql<boolean>`${col} like ${`%${escaped}%`}`;
      case 'in':
        return sql<boolean>`${col} = any(${Array.isArray(value) ? value : [text]}::text[])`;
      case 'present':
        return sql<boolean>`${col} is not null`;
    }
  },
};

const age: SegmentCriterion<{ min?: number; max?: number }> = {
  name: 'age',
  label: 'Age',
  description: 'Age in years today, from the birth date',
  module: 'customers',
  params: Type.Object(
    { min: Type.Optional(Type.Integer({ minimum: 0, maximum: 150 })), max: Type.Optional(Type.Integer({ minimum: 0, maximum: 150 })) },
    { additionalProperties: false },
  ),
  toSql({ min, max }) {
    const years = sql`extract(year from age(c.birth_date))`;
    return sql<boolean>`c.birth_date is not null and ${years} >= ${min ?? 0} and ${years} <= ${max ?? 150}`;
  },
};

const consent: SegmentCriterion<{ channel: 'email' | 'postal_mail' }> = {
  name: 'consent',
  label: 'Has consent',
  description: 'The customer currently consents to this channel',
  module: 'customers',
  params: Type.Object({ channel: Type.Union([Type.Literal('email'), Type.Literal('postal_mail')]) }, { additionalProperties: false }),
  toSql: ({ channel }) =>
    channel === 'email' ? sql<boolean>`c.email_consent` : sql<boolean>`c.postal_mail_consent`,
};

const rank: SegmentCriterion<{ ranks: string[] }> = {
  name: 'rank',
  label: 'Rank',
  description: 'The customer’s rank is one of these',
  module: 'customers',
  params: Type.Object({ ranks: Type.Array(Type.String({ maxLength: 50 }), { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
  toSql: ({ ranks }) => sql<boolean>`c.rank = any(${ranks}::text[])`,
};

const createdWithin: SegmentCriterion<{ days: number }> = {
  name: 'joined_within',
  label: 'Joined recently',
  description: 'The customer record was created within the last N days',
  module: 'customers',
  params: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 36500 }) }, { additionalProperties: false }),
  toSql: ({ days }) => sql<boolean>`c.created_at >= now() - make_interval(days => ${days})`,
};

/** Criteria on the customer record itself, for segments. */
export const CUSTOMER_SEGMENT_CRITERIA: SegmentCriterion[] = [attribute, age, consent, rank, createdWithin];
