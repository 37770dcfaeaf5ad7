import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRecords, type CsvRecord } from './csv-records.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'csv-records-'));

async function read(text: string, chunkBytes?: number): Promise<CsvRecord[]> {
  const file = path.join(dir, `f${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  const out: CsvRecord[] = [];
  for await (const records of csvRecords(file, chunkBytes ? { chunkBytes } : {})) out.push(...records);
  return out;
}

describe('csvRecords', () => {
  const text = [
    '\ufeffname,note,n',
    '山田 太郎,"a, b",1',
    '',
    '"佐藤 ""ハナ""',
    '花子","say ""hi""",2',
    'x,,3',
  ].join('\n');

  it('parses quotes, embedded newlines and commas, skips empty lines and the BOM, and numbers records by line', async () => {
    expect(await read(text)).toEqual([
      { fields: ['name', 'note', 'n'], line: 1 },
      { fields: ['山田 太郎', 'a, b', '1'], line: 2 },
      { fields: ['佐藤 "ハナ"\n花子', 'say "hi"', '2'], line: 4 },
      { fields: ['x', '', '3'], line: 6 },
    ]);
  });

  it('gives the same records whatever the chunk size (records cut across chunks)', async () => {
    const whole = await read(text);
    for (const size of [1, 2, 3, 5, 7, 11, 13, 17]) expect(await read(text, size)).toEqual(whole);
  });

  it('reads CRLF files', async () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const records = await read(crlf, 4);
    expect(records.map((r) => r.fields)).toEqual([
      ['name', 'note', 'n'],
      ['山田 太郎', 'a, b', '1'],
      ['佐藤 "ハナ"\r\n花子', 'say "hi"', '2'],
      ['x', '', '3'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 4, 6]);
  });

  it('marks a record with malformed quotes', async () => {
    const records = await read('a,b\n"x"y,1\nz,2\n');
    expect(records[0]).toEqual({ fields: ['a', 'b'], line: 1 });
    expect(records[1]!.error).toBeTruthy();
    expect(records[1]!.line).toBe(2);
  });

  it('reports an unterminated quote at the end of the file', async () => {
    const records = await read('a,b\n"open,1\n');
    expect(records.at(-1)!.error).toBeTruthy();
  });
});
