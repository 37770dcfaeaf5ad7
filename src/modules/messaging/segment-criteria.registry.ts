import { Value } from '@sinclair/typebox/value';
import { sql, type RawBuilder } from 'kysely';
import { ValidationError, type FieldProblem } from '../../platform/errors.js';
import type { SegmentCriterion } from '../../platform/segments.js';
import type { SegmentDefinition } from './messaging.tables.js';

/**
 * The criteria segments are built from. Modules register theirs at wiring time (customers:
 * attributes, consent, rank; messaging: messages sent; later modules: purchases, visits,
 * appliance use, clicks), so messaging's code never changes for a new kind of behaviour.
 */
export class SegmentCriteriaRegistry {
  private readonly criteria = new Map<string, SegmentCriterion>();

  register(...criteria: SegmentCriterion[]): void {
    for (const c of criteria) {
      if (this.criteria.has(c.name)) throw new Error(`segment criterion "${c.name}" registered twice`);
      this.criteria.set(c.name, c);
    }
  }

  list(): SegmentCriterion[] {
    return [...this.criteria.values()];
  }

  /** Checks a definition against the registered criteria; throws naming the bad part. */
  validate(definition: SegmentDefinition): void {
    const problems: FieldProblem[] = [];
    if (definition.match !== 'all' && definition.match !== 'any') problems.push({ field: 'definition.match', message: 'must be all or any' });
    if (!Array.isArray(definition.criteria)) problems.push({ field: 'definition.criteria', message: 'must be a list' });
    definition.criteria?.forEach((item, i) => {
      const criterion = this.criteria.get(item.criterion);
      if (!criterion) {
        problems.push({ field: `definition.criteria.${i}.criterion`, message: `unknown criterion "${item.criterion}"` });
        return;
      }
      const error = Value.Errors(criterion.params, item.params ?? {}).First();
      if (error) problems.push({ field: `definition.criteria.${i}.params${error.path.replace(/\//g, '.')}`, message: error.message });
    });
    if (problems.length) throw new ValidationError(problems);
  }

  /** The definition as one boolean SQL condition on `c`. An empty definition matches everyone. */
  compile(definition: SegmentDefinition): RawBuilder<boolean> {
    this.validate(definition);
    if (definition.criteria.length === 0) return sql<boolean>`true`;
    const parts = definition.criteria.map((item) => {
      const condition = this.criteria.get(item.criterion)!.toSql(item.params ?? {});
      return item.negate ? sql`not (${condition})` : sql`(${condition})`;
    });
    return sql<boolean>`(${sql.join(parts, definition.match === 'all' ? sql` and ` : sql` or `)})`;
  }
}
