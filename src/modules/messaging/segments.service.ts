import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { ConflictError, isUniqueViolation, NotFoundError } from '../../platform/errors.js';
import type { CustomersService } from '../customers/index.js';
import { segmentsRepository as repo } from './messaging.repository.js';
import type { SegmentDefinition, SegmentsTable } from './messaging.tables.js';
import type { SegmentCriteriaRegistry } from './segment-criteria.registry.js';

export interface SegmentView {
  id: number;
  name: string;
  definition: SegmentDefinition;
  createdAt: string;
  updatedAt: string;
}

const view = (row: Selectable<SegmentsTable>): SegmentView => ({
  id: row.id,
  name: row.name,
  definition: row.definition,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Saved, named audiences: a definition over the registered criteria, evaluated in SQL. */
export class SegmentsService {
  constructor(
    private readonly db: Db,
    private readonly criteria: SegmentCriteriaRegistry,
    private readonly customers: CustomersService,
  ) {}

  /** The ids of the customers in a segment, as a subquery. */
  idsSql(definition: SegmentDefinition) {
    return this.customers.segmentIdsSql(this.criteria.compile(definition));
  }

  async count(definition: SegmentDefinition): Promise<{ count: number; ms: number; sample: string[] }> {
    const started = performance.now();
    const ids = this.idsSql(definition);
    const [count, sample] = await Promise.all([repo.count(this.db, ids), repo.sample(this.db, ids, 5)]);
    return { count, ms: Math.round(performance.now() - started), sample: sample.map(String) };
  }

  async list(): Promise<SegmentView[]> {
    return (await repo.list(this.db)).map(view);
  }

  async get(id: number): Promise<SegmentView> {
    const row = await repo.find(this.db, id);
    if (!row) throw new NotFoundError('segment', id);
    return view(row);
  }

  async create(name: string, definition: SegmentDefinition): Promise<SegmentView> {
    this.criteria.validate(definition);
    try {
      return view(await repo.insert(this.db, name.trim(), definition));
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('name_taken', `A segment named ${name} exists`);
      throw err;
    }
  }

  async update(id: number, patch: { name?: string; definition?: SegmentDefinition }): Promise<SegmentView> {
    if (patch.definition) this.criteria.validate(patch.definition);
    try {
      const row = await repo.update(this.db, id, patch);
      if (!row) throw new NotFoundError('segment', id);
      return view(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('name_taken', `A segment named ${patch.name} exists`);
      throw err;
    }
  }
}
