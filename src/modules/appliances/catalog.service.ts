import { createHash, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import { NotFoundError, ValidationError, type FieldProblem } from '../../platform/errors.js';
import { canonicalNumber, MANUFACTURING_NUMBER } from './appliance-record.js';
import type { AdditionalCode, ProductType } from './appliances.tables.js';
import { catalogRepository as repo, type ApplianceListFilter } from './catalog.repository.js';
import { ROLLUP_LOCK_KEY } from './usage-ingest.service.js';
import { userRollupsRepository } from './user-rollups.repository.js';

export const PRODUCT_TYPES: readonly ProductType[] = ['washer', 'microwave', 'dvd_recorder', 'rice_cooker', 'air_conditioner', 'pc', 'other'];
export const PRODUCTION_COLUMNS = ['manufacturing_number', 'model', 'secret'] as const;
/** Device secrets are random strings from the factory; 16 characters is the least we accept. */
export const MIN_SECRET_LENGTH = 16;

export interface FunctionTariff {
  code: string;
  name: string;
  perUseYen: number;
  perMinuteYen: number;
}

export interface ModelInput {
  model: string;
  productType: ProductType;
  name: string;
  additionalCodes?: AdditionalCode[];
  basicFunctions?: string[];
  monthlyBaseYen?: number;
  discountThresholdMinutes?: number | null;
  discountPercent?: number;
  functions: FunctionTariff[];
}

export interface ModelView {
  model: string;
  productType: ProductType;
  name: string;
  additionalCodes: AdditionalCode[];
  basicFunctions: string[];
  monthlyBaseYen: number;
  discountThresholdMinutes: number | null;
  discountPercent: number;
  functions: FunctionTariff[];
}

/** What the ingest needs of a model, indexed. */
export interface CatalogEntry extends ModelView {
  functionByCode: Map<string, FunctionTariff>;
  additionalByCode: Set<string>;
  basic: Set<string>;
}

export interface ProductionRecord {
  line: number;
  values: Record<string, string | undefined>;
}

/**
 * Device secrets are long random strings issued at the factory, not passwords people choose:
 * with at least 16 characters from the factory's generator a guess is hopeless, so SHA-256 is
 * enough (a slow hash would only make every MQTT connect of 10,000 appliances cost CPU).
 * The same reasoning the API keys follow.
 */
export const secretHash = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

export function secretMatches(secret: string, hash: Buffer | null | undefined): boolean {
  const given = secretHash(secret);
  return !!hash && hash.length === given.length && timingSafeEqual(given, hash);
}

const num = (v: string | number) => Number(v);

/**
 * The merchandise database: models with their function code lists and tariffs, and the
 * production list of manufactured appliances with their device secrets.
 */
export class CatalogService {
  private cache: { at: number; byModel: Map<string, CatalogEntry> } | null = null;
  private loading: Promise<Map<string, CatalogEntry>> | null = null;

  constructor(
    private readonly db: Db,
    /** How long another node's catalog change may take to show here. */
    private readonly ttlMs = 10_000,
  ) {}

  async models(): Promise<ModelView[]> {
    const [models, functions] = await Promise.all([repo.models(this.db), repo.functions(this.db)]);
    return models.map((m) => ({
      model: m.model,
      productType: m.product_type,
      name: m.name,
      additionalCodes: m.additional_codes,
      basicFunctions: m.basic_functions,
      monthlyBaseYen: m.monthly_base_yen,
      discountThresholdMinutes: m.discount_threshold_minutes,
      discountPercent: num(m.discount_percent),
      functions: functions
        .filter((f) => f.model === m.model)
        .map((f) => ({ code: f.code, name: f.name, perUseYen: num(f.per_use_yen), perMinuteYen: num(f.per_minute_yen) })),
    }));
  }

  async model(model: string): Promise<ModelView> {
    const found = (await this.models()).find((m) => m.model === model);
    if (!found) throw new NotFoundError('appliance model', model);
    return found;
  }

  /** The catalog indexed by model, cached for a few seconds (read on every ingest batch). */
  async entries(): Promise<Map<string, CatalogEntry>> {
    if (this.cache && Date.now() - this.cache.at < this.ttlMs) return this.cache.byModel;
    this.loading ??= this.models()
      .then((models) => {
        const byModel = new Map(
          models.map((m) => [
            m.model,
            {
              ...m,
              functionByCode: new Map(m.functions.map((f) => [f.code, f])),
              additionalByCode: new Set(m.additionalCodes.map((a) => a.code)),
              basic: new Set(m.basicFunctions),
            },
          ]),
        );
        this.cache = { at: Date.now(), byModel };
        return byModel;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  invalidate(): void {
    this.cache = null;
  }

  /** Creates or replaces a model with its function list and tariffs. */
  async upsertModel(input: ModelInput): Promise<ModelView> {
    const problems: FieldProblem[] = [];
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(input.model)) problems.push({ field: 'model', message: 'must be 1–64 letters, digits, . _ -' });
    if (!PRODUCT_TYPES.includes(input.productType)) problems.push({ field: 'productType', message: `must be one of ${PRODUCT_TYPES.join(', ')}` });
    if (!input.name?.trim()) problems.push({ field: 'name', message: 'is required' });
    const codes = new Set<string>();
    input.functions.forEach((f, i) => {
      if (!/^[A-Z]-[0-9]{2}$/.test(f.code)) problems.push({ field: `functions.${i}.code`, message: 'must look like A-01' });
      if (codes.has(f.code)) problems.push({ field: `functions.${i}.code`, message: 'appears twice' });
      codes.add(f.code);
      if (!f.name?.trim()) problems.push({ field: `functions.${i}.name`, message: 'is required' });
      if (!(f.perUseYen >= 0)) problems.push({ field: `functions.${i}.perUseYen`, message: 'must be ≥ 0' });
      if (!(f.perMinuteYen >= 0)) problems.push({ field: `functions.${i}.perMinuteYen`, message: 'must be ≥ 0' });
    });
    (input.additionalCodes ?? []).forEach((a, i) => {
      if (!/^[A-Z]$/.test(a.code)) problems.push({ field: `additionalCodes.${i}.code`, message: 'must be one capital letter' });
    });
    (input.basicFunctions ?? []).forEach((b, i) => {
      if (!codes.has(b)) problems.push({ field: `basicFunctions.${i}`, message: 'is not one of the model’s functions' });
    });
    const pct = input.discountPercent ?? 0;
    if (!(pct >= 0 && pct <= 100)) problems.push({ field: 'discountPercent', message: 'must be 0–100' });
    if (problems.length) throw new ValidationError(problems);
    await this.db.transaction().execute(async (tx) => {
      const before = await tx.selectFrom('appliance_models').select('product_type').where('model', '=', input.model).forUpdate().executeTakeFirst();
      await repo.upsertModel(tx, {
        model: input.model,
        product_type: input.productType,
        name: input.name.trim(),
        additional_codes: JSON.stringify(input.additionalCodes ?? []),
        basic_functions: input.basicFunctions ?? [],
        monthly_base_yen: input.monthlyBaseYen ?? 0,
        discount_threshold_minutes: input.discountThresholdMinutes ?? null,
        discount_percent: pct,
      });
      await repo.replaceFunctions(
        tx,
        input.model,
        input.functions.map((f) => ({ model: input.model, code: f.code, name: f.name.trim(), per_use_yen: f.perUseYen, per_minute_yen: f.perMinuteYen })),
      );
      if (before && before.product_type !== input.productType) {
        // The model's users now count for another product type: rebuilt with ingest paused.
        await sql`select pg_advisory_xact_lock(${ROLLUP_LOCK_KEY})`.execute(tx);
        await userRollupsRepository.rebuild(tx);
      }
    });
    this.invalidate();
    return this.model(input.model);
  }

  unknownColumns(header: string[]): string[] {
    return header.filter((h) => !(PRODUCTION_COLUMNS as readonly string[]).includes(h));
  }

  /**
   * Validates a batch of the production list (manufacturing_number, model, secret) and
   * upserts the valid rows in one statement. Re-importing a row replaces its secret.
   */
  async importProduction(records: ProductionRecord[]) {
    const models = await this.entries();
    const rejected: { line: number; problems: FieldProblem[] }[] = [];
    const rows = new Map<string, { manufacturing_number: string; model: string; secret_sha256: Buffer }>();
    for (const { line, values } of records) {
      const problems: FieldProblem[] = [];
      const mfg = canonicalNumber(values.manufacturing_number ?? '');
      const model = (values.model ?? '').trim();
      const secret = values.secret ?? '';
      if (!MANUFACTURING_NUMBER.test(mfg)) problems.push({ field: 'manufacturing_number', message: 'must be 1–64 letters, digits or hyphens' });
      if (!models.has(model)) problems.push({ field: 'model', message: 'is not in the model catalog (add the model first)' });
      if (secret.length < MIN_SECRET_LENGTH || secret.length > 200 || !/^[\x21-\x7e]+$/.test(secret)) {
        problems.push({ field: 'secret', message: `must be ${MIN_SECRET_LENGTH}–200 visible ASCII characters` });
      }
      if (problems.length) rejected.push({ line, problems });
      else rows.set(mfg, { manufacturing_number: mfg, model, secret_sha256: secretHash(secret) });
    }
    const { inserted, updated } = await repo.upsertProduction(this.db, [...rows.values()]);
    return { inserted, updated, rejected };
  }

  /** Secret hashes of appliances (for the brokers' and the HTTP route's device authentication). */
  async secretHashes(mfgs: string[]): Promise<Map<string, Buffer>> {
    const rows = await repo.secrets(this.db, mfgs);
    return new Map(rows.map((r) => [r.manufacturing_number, r.secret_sha256]));
  }

  list(filter: ApplianceListFilter) {
    return repo.list(this.db, filter);
  }

  countByModel() {
    return repo.countByModel(this.db);
  }

  find(mfg: string) {
    return repo.find(this.db, mfg);
  }
}
