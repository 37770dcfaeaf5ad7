import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Actor } from '../../platform/auth/principal.js';
import type { CustomersImportService, ImportProblem, ImportRecord } from './customers-import.service.js';
import { unknownColumns } from './customers-import.service.js';

export interface FileImportOptions {
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
  // Records as arrays, named here from the header: csv-parse's `columns: true` defines each
  // field as a property (Object.defineProperty) on a fresh object, a measurable share of the
  // per-row cost of a million-row import. The header is the first record; line numbers and
  // errors (quotes, record length) still come from csv-parse.
  const parser = createReadStream(file).pipe(parse({ bom: true, skip_empty_lines: true, trim: true, info: true }));
  const seenEmails = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const result: FileImportResult = { rows: 0, inserted: 0, rejected: [] };
  let batch: ImportRecord[] = [];
  let checked = false;
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
  for await (const { record: fields, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (!header) {
      header = fields;
      continue;
    }
    if (!checked) {
      const unknown = unknownColumns(header);
      if (unknown.length) throw new Error(`Unknown column(s) in ${file}: ${unknown.join(', ')}. Nothing was imported.`);
      checked = true;
    }
    const record: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) {
      const column = header[i]!;
      // A column named __proto__ must stay a plain field, as csv-parse's own objects have it.
      if (column === '__proto__') Object.defineProperty(record, column, { value: fields[i], enumerable: true, writable: true, configurable: true });
      else record[column] = fields[i]!;
    }
    result.rows++;
    const email = record.email?.normalize('NFKC').trim().toLowerCase();
    if (email) {
      if (seenEmails.has(email)) {
        result.rejected.push({ line: info.lines, reason: 'duplicate_email', problems: [{ field: 'email', message: 'appears earlier in this file' }] });
        options.onBatch?.(1);
        continue;
      }
      seenEmails.add(email);
    }
    batch.push({ line: info.lines, values: record });
    if (batch.length >= options.batchSize) await flush();
  }
  await flush();
  await Promise.all(inFlight);
  if (failure) throw failure;
  if (result.inserted) await importer.finishImport();
  result.rejected.sort((a, b) => a.line - b.line);
  return result;
}
