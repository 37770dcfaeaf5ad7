import type { Db } from '../../platform/db/database.js';
import type { FieldProblem } from '../../platform/errors.js';
import { PRODUCT_CATEGORIES } from './registration-form.js';
import { registrationRepository as repo } from './registration.repository.js';
import { canonicalSerial } from './serial.js';

export const SHIPPED_COLUMNS = ['maker', 'model', 'serial', 'category', 'ship_date'] as const;

export interface ShippedRecord {
  line: number;
  values: Record<string, string | undefined>;
}

export interface ShippedImportResult {
  inserted: number;
  updated: number;
  rejected: { line: number; problems: FieldProblem[] }[];
}

const SERIAL = /^[A-Z0-9][A-Z0-9._/-]{0,99}$/;

/**
 * The manufacturer's list of shipped products. Once it holds anything, only listed serials can
 * be registered, so a made-up serial is refused even from a modified agent.
 */
export class ShippedProductsService {
  constructor(private readonly db: Db) {}

  unknownColumns(header: string[]): string[] {
    return header.filter((h) => !(SHIPPED_COLUMNS as readonly string[]).includes(h));
  }

  /** Validates a batch and upserts the valid rows in one statement; re-importing a list is harmless. */
  async importBatch(records: ShippedRecord[]): Promise<ShippedImportResult> {
    const rejected: ShippedImportResult['rejected'] = [];
    const rows = new Map<string, { serial: string; maker: string; model: string; category: string; shipped_on: string | null }>();
    for (const { line, values } of records) {
      const problems: FieldProblem[] = [];
      const serial = canonicalSerial(values.serial ?? '');
      const maker = (values.maker ?? '').trim();
      const model = (values.model ?? '').trim();
      const category = (values.category ?? '').trim().toLowerCase() || 'other';
      const shipDate = (values.ship_date ?? '').trim().replace(/\//g, '-');
      if (!SERIAL.test(serial)) problems.push({ field: 'serial', message: 'must be 1–100 letters, digits or . _ / -' });
      if (!maker || maker.length > 100) problems.push({ field: 'maker', message: 'must be 1–100 characters' });
      if (!model || model.length > 100) problems.push({ field: 'model', message: 'must be 1–100 characters' });
      if (!(PRODUCT_CATEGORIES as readonly string[]).includes(category)) {
        problems.push({ field: 'category', message: `must be one of ${PRODUCT_CATEGORIES.join(', ')}` });
      }
      if (shipDate && (!/^\d{4}-\d{2}-\d{2}$/.test(shipDate) || Number.isNaN(Date.parse(shipDate)))) {
        problems.push({ field: 'ship_date', message: 'must be YYYY-MM-DD' });
      }
      if (problems.length) rejected.push({ line, problems });
      else rows.set(serial, { serial, maker, model, category, shipped_on: shipDate || null });
    }
    const { inserted, updated } = await repo.upsertShipped(this.db, [...rows.values()]);
    return { inserted, updated, rejected };
  }

  async stats() {
    const { count, lastImportedAt } = await repo.shippedCount(this.db);
    return { count, lastImportedAt: lastImportedAt ? new Date(lastImportedAt).toISOString() : null };
  }
}
