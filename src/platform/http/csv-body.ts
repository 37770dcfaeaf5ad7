import { parse } from 'csv-parse/sync';
import type { FastifyRequest } from 'fastify';
import { ValidationError } from '../errors.js';

/** The rows of a text/csv request body (header row → column names), each with its line number. */
export function csvBodyRows(req: FastifyRequest): { line: number; values: Record<string, string> }[] {
  if (typeof req.body !== 'string') throw new ValidationError([{ field: 'body', message: 'send the CSV as text/csv' }]);
  try {
    const rows = parse(req.body, { columns: true, bom: true, skip_empty_lines: true, trim: true, info: true }) as {
      record: Record<string, string>;
      info: { lines: number };
    }[];
    return rows.map((r) => ({ line: r.info.lines, values: r.record }));
  } catch (err) {
    throw new ValidationError([{ field: 'body', message: `is not valid CSV: ${(err as Error).message}` }]);
  }
}
