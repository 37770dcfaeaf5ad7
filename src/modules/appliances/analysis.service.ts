import type { Db } from '../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../platform/errors.js';
import { addMonths, bucketLabel, LAST_BUCKET, monthOf, monthsBetween, type Month } from './appliance-time.js';
import type { ProductType } from './appliances.tables.js';
import { analysisRepository as repo } from './analysis.repository.js';
import type { CatalogService } from './catalog.service.js';
import { ALL_SCOPE, modelScope, typeScope, userRollupsRepository as userRollups } from './user-rollups.repository.js';

export interface AnalysisQuery {
  productType?: ProductType;
  model?: string;
  functionCode?: string;
  from?: Month;
  to?: Month;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * Usage analysis per product type or model and per function (A-6, FIG. 7 and 9): registered
 * customers, total usage time, usage per person per month, the duration and hour-of-day
 * histograms, usage per area and appliance ownership. Reads the rollups only.
 */
export class AnalysisService {
  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogService,
  ) {}

  /** The selection screen (FIG. 7(a)): product types, their models and functions. */
  async selection() {
    const [models, counts] = await Promise.all([this.catalog.models(), this.catalog.countByModel()]);
    const byType = new Map<string, { productType: string; models: { model: string; name: string; appliances: number; registered: number }[]; functions: { code: string; name: string }[] }>();
    for (const m of models) {
      const t = byType.get(m.productType) ?? { productType: m.productType, models: [], functions: [] };
      const c = counts.find((x) => x.model === m.model);
      t.models.push({ model: m.model, name: m.name, appliances: Number(c?.appliances ?? 0), registered: Number(c?.registered ?? 0) });
      for (const f of m.functions) if (!t.functions.some((x) => x.code === f.code)) t.functions.push({ code: f.code, name: f.name });
      byType.set(m.productType, t);
    }
    for (const t of byType.values()) t.functions.sort((a, b) => a.code.localeCompare(b.code));
    return { productTypes: [...byType.values()] };
  }

  async analyse(q: AnalysisQuery) {
    const models = await this.catalog.models();
    const inScope = models.filter((m) => (!q.model || m.model === q.model) && (!q.productType || m.productType === q.productType));
    if (q.model && inScope.length === 0) throw new NotFoundError('appliance model', q.model);
    const to = q.to ?? monthOf(new Date());
    const from = q.from ?? addMonths(to, -11);
    if (from > to) throw new ValidationError([{ field: 'from', message: 'must not be after to' }]);
    const months = monthsBetween(from, to).length;
    if (months > 120) throw new ValidationError([{ field: 'from', message: 'the range may span at most 120 months' }]);
    const scope = { models: inScope.map((m) => m.model), functionCode: q.functionCode ?? null, from, to };
    // Distinct users come from the customer-keyed rollups of the narrowest scope asked for.
    const userScope = q.model ? modelScope(q.model) : q.productType ? typeScope(q.productType) : ALL_SCOPE;
    const names = new Map<string, string>();
    for (const m of inScope) for (const f of m.functions) if (!names.has(f.code)) names.set(f.code, f.name);

    const [registered, totals, users, monthly, durations, times, areas, ownership] = await Promise.all([
      repo.registered(this.db, scope.models),
      repo.functionTotals(this.db, scope),
      userRollups.users(this.db, userScope, scope, scope.functionCode),
      repo.monthly(this.db, scope),
      repo.durationHistogram(this.db, scope),
      repo.timeHistogram(this.db, scope),
      repo.areas(this.db, scope),
      repo.ownership(this.db, scope.models),
    ]);
    const functions = totals.map((t) => {
      const u = users.get(t.functionCode);
      const pm = u?.personMonths ?? 0;
      return {
        functionCode: t.functionCode,
        name: names.get(t.functionCode) ?? t.functionCode,
        uses: t.uses,
        totalSec: t.totalSec,
        users: u?.persons ?? 0,
        /** Usage time per person per month, over the people who used the function in a month. */
        perUserMonthSec: pm > 0 ? Math.round(t.totalSec / pm) : 0,
        /** Usage time per registered customer per month (FIG. 7(b)'s "usage time / person · month"). */
        perCustomerMonthSec: registered.customers > 0 ? Math.round(t.totalSec / (registered.customers * months)) : 0,
      };
    });
    const byBucket = new Map(durations.map((d) => [d.bucket, d.uses]));
    const hours = Array.from({ length: 24 }, (_, hour) => ({ hour, uses: times.filter((t) => t.hour === hour).reduce((s, t) => s + t.uses, 0) }));
    const weekdays = WEEKDAYS.map((label, weekday) => ({ weekday, label, uses: times.filter((t) => t.weekday === weekday).reduce((s, t) => s + t.uses, 0) }));
    return {
      scope: { productType: q.productType ?? null, model: q.model ?? null, models: scope.models, functionCode: scope.functionCode, from, to, months },
      registeredCustomers: registered.customers,
      registeredAppliances: registered.appliances,
      totals: { uses: functions.reduce((s, f) => s + f.uses, 0), totalSec: functions.reduce((s, f) => s + f.totalSec, 0) },
      functions,
      monthly,
      durationHistogram: Array.from({ length: LAST_BUCKET + 1 }, (_, bucket) => ({ bucket, label: bucketLabel(bucket), uses: byBucket.get(bucket) ?? 0 })),
      hourOfDay: hours,
      weekday: weekdays,
      areas: areas.map((a) => ({ ...a, area: a.area || '(unknown)' })),
      ownership,
    };
  }
}
