import { csvRecords } from '../../platform/csv-records.js';
import type { Actor } from '../../platform/auth/principal.js';
import type { BulkImport, CustomersImportService, ImportOptions, ImportProblem, ImportRecord } from './customers-import.service.js';
import { unknownColumns } from './customers-import.service.js';

export interface FileImportOptions extends ImportOptions {
  batchSize: number;
  /** Batches written at once, each on its own connection: the database's index work is the cost. */
  parallel: number;
  onBatch?: (rows: number) => void;
  /** The rows are written; the end of the import (e.g. building the name index) begins. */
  onFinishing?: (bulk: BulkImport) => void;
}

export interface FileImportResult {
  rows: number;
  inserted: number;
  rejected: ImportProblem[];
}

/**
 * Imports a customers CSV the way `clientele customers import` does: streamed, validated,
 * written in batches (several in flight), e-mail addresses de-duplicated within the file (the
 * batches check the database for earlier imports). Throws before writing anything when the
 * header has columns it does not know.
 */
export async function importCustomersFile(
  importer: CustomersImportService,
  actor: Actor,
  file: string,
  options: FileImportOptions,
): Promise<FileImportResult> {
  return importer.runImport(() => importRows(importer, actor, file, options), options);
}

async function importRows(
  importer: CustomersImportService,
  actor: Actor,
  file: string,
  options: FileImportOptions,
): Promise<FileImportResult> {
  const seenEmails = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const result: FileImportResult = { rows: 0, inserted: 0, rejected: [] };
  let batch: ImportRecord[] = [];
  let failure: unknown;

  const flush = async () => {
    if (!batch.length) return;
    const records = batch;
    batch = [];
    const job = importer
      .importBatch(actor, records, `import:${file}`)
      .then((r) => {
        result.inserted += r.inserted;
        result.rejected.push(...r.rejected);
        options.onBatch?.(records.length);
      })
      .catch((err) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(job));
    inFlight.add(job);
    while (inFlight.size >= options.parallel) await Promise.race(inFlight);
    if (failure) throw failure;
  };

  let header: string[] | undefined;
  for await (const records of csvRecords(file)) {
    for (const { fields, line, error } of records) {
      if (error) throw new Error(`${file}, line ${line}: ${error}. The import stopped there; rows before it were imported.`);
      if (!header) {
        header = fields.map((f) => f.trim());
        const unknown = unknownColumns(header);
        if (unknown.length) throw new Error(`Unknown column(s) in ${file}: ${unknown.join(', ')}. Nothing was imported.`);
        continue;
      }
      result.rows++;
      if (fields.length !== header.length) {
        result.rejected.push({
          line,
          reason: 'invalid',
          problems: [{ field: 'row', message: `has ${fields.length} fields, the header ${header.length}` }],
        });
        options.onBatch?.(1);
        continue;
      }
      // Named from the header here: csv-parse's `columns: true` (used before) defined each
      // field as a property on a fresh object, a measurable share of the per-row cost.
      const record: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) {
        const column = header[i]!;
        // A column named __proto__ must stay a plain field.
        if (column === '__proto__') Object.defineProperty(record, column, { value: fields[i], enumerable: true, writable: true, configurable: true });
        else record[column] = fields[i]!;
      }
      const email = record.email?.normalize('NFKC').trim().toLowerCase();
      if (email) {
        if (seenEmails.has(email)) {
          result.rejected.push({ line, reason: 'duplicate_email', problems: [{ field: 'email', message: 'appears earlier in this file' }] });
          options.onBatch?.(1);
          continue;
        }
        seenEmails.add(email);
      }
      batch.push({ line, values: record });
      if (batch.length >= options.batchSize) await flush();
    }
  }
  await flush();
  await Promise.all(inFlight);
  if (failure) throw failure;
  result.rejected.sort((a, b) => a.line - b.line);
  return result;
}
