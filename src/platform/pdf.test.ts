import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPdf, FONT_BOLD, pdfToBuffer } from './pdf.js';

describe('PDF documents', () => {
  it('render Japanese text that can be extracted again', async () => {
    const doc = createPdf({ title: 'テスト' });
    doc.addPage();
    doc.font(FONT_BOLD).fontSize(18).text('〒100-0001 東京都千代田区');
    doc.font('jp-regular').fontSize(12).text('山田 太郎 様');
    const pdf = await pdfToBuffer(doc);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'pdf-')), 'a.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString();
    expect(text).toContain('山田 太郎 様');
    expect(text).toContain('東京都千代田区');
  });
});
