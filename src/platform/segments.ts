import type { TSchema } from '@sinclair/typebox';
import type { RawBuilder } from 'kysely';

/**
 * A segment criterion contributed by a module: a named, parameterised condition on a customer.
 * `toSql` returns a boolean SQL expression about the customer whose id is `c.id` (and, for the
 * customers module's own criteria, its other columns). Behaviour criteria are usually
 * `c.id IN (SELECT customer_id FROM <own table> WHERE …)`. `withinDays` limits behaviour to
 * a recent window when the criterion supports it.
 */
export interface SegmentCriterion<P = any> {
  name: string;
  label: string;
  description: string;
  /** Module that contributed it (for the console's grouping). */
  module: string;
  params: TSchema;
  toSql(params: P): RawBuilder<boolean>;
}
