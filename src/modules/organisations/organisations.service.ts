import type { Db } from '../../platform/db/database.js';
import { ConflictError, isUniqueViolation, NotFoundError, ValidationError } from '../../platform/errors.js';
import { organisationsRepository as repo, type OrgKind } from './organisations.repository.js';

export interface Organisation {
  id: number;
  code: string;
  name: string;
  createdAt: string;
  /** Partners only. */
  grantedFields?: string[];
}
export interface Partner extends Organisation {
  grantedFields: string[];
}

const NOUN: Record<OrgKind, string> = { stores: 'store', facilities: 'facility', partners: 'partner' };

function view(row: { id: number; code: string; name: string; created_at: Date }): Organisation {
  return { id: row.id, code: row.code, name: row.name, createdAt: row.created_at.toISOString() };
}

/** Member stores of the coalition, facilities with readers, and partner companies. */
export class OrganisationsService {
  constructor(
    private readonly db: Db,
    private readonly partnerFieldWhitelist: readonly string[],
  ) {}

  async list(kind: OrgKind): Promise<Organisation[]> {
    const rows = await repo.list(this.db, kind);
    return rows.map((r) => ('granted_fields' in r ? { ...view(r), grantedFields: r.granted_fields } : view(r)));
  }

  async get(kind: OrgKind, id: number): Promise<Organisation> {
    const row = await repo.findById(this.db, kind, id);
    if (!row) throw new NotFoundError(NOUN[kind], id);
    return 'granted_fields' in row ? { ...view(row), grantedFields: row.granted_fields } : view(row);
  }

  async getPartner(id: number): Promise<Partner> {
    return (await this.get('partners', id)) as Partner;
  }

  async findByCode(kind: OrgKind, code: string): Promise<Organisation | undefined> {
    const row = await repo.findByCode(this.db, kind, code);
    return row ? view(row) : undefined;
  }

  async create(kind: OrgKind, input: { code: string; name: string; grantedFields?: string[] }): Promise<Organisation> {
    if (kind === 'partners') {
      const unknown = (input.grantedFields ?? []).filter((f) => !this.partnerFieldWhitelist.includes(f));
      if (unknown.length) {
        throw new ValidationError([{ field: 'grantedFields', message: `unknown fields: ${unknown.join(', ')}` }]);
      }
    }
    try {
      if (kind === 'stores') return view(await repo.insertStore(this.db, input));
      if (kind === 'facilities') return view(await repo.insertFacility(this.db, input));
      const row = await repo.insertPartner(this.db, { code: input.code, name: input.name, granted_fields: input.grantedFields ?? [] });
      return { ...view(row), grantedFields: row.granted_fields };
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('code_taken', `A ${NOUN[kind]} with code ${input.code} exists`);
      throw err;
    }
  }
}
