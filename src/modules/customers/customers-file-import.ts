import { csvTable } from '../../platform/csv-records.js';
import type { Actor } from '../../platform/auth/principal.js';
import type { CustomersImportService, ImportProblem, ImportRecord, RunImportOptions } from './customers-import.service.js';
import { unknownColumns } from './customers-import.service.js';

export interface FileImportOptions extends RunImportOptions {
  batchSize: number;
  /** Batches written at once, each on its own connection: the database's index work is the cost. */
  parallel: number;
  onBatch?: (rows: number) => void;
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

  for await (const rows of csvTable(file, { unknownColumns })) {
    for (const row of rows) {
      result.rows++;
      if (row.problem) {
        result.rejected.push({ line: row.line, reason: 'invalid', problems: [{ field: 'row', message: row.problem }] });
        options.onBatch?.(1);
        continue;
      }
      const email = row.values.email?.normalize('NFKC').trim().toLowerCase();
      if (email) {
        if (seenEmails.has(email)) {
          result.rejected.push({ line: row.line, reason: 'duplicate_email', problems: [{ field: 'email', message: 'appears earlier in this file' }] });
          options.onBatch?.(1);
          continue;
        }
        seenEmails.add(email);
      }
      batch.push(row);
      if (batch.length >= options.batchSize) await flush();
    }
  }
  await flush();
  await Promise.all(inFlight);
  if (failure) throw failure;
  result.rejected.sort((a, b) => a.line - b.line);
  return result;
}
