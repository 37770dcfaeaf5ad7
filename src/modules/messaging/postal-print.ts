import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { createPdf, FONT_BOLD, FONT_REGULAR } from '../../platform/pdf.js';
import type { Personal } from '../customers/index.js';

export interface Letter {
  personal: Personal;
  subject: string;
  body: string;
  qrUrl: string | null;
}

/** The address block in Japanese postal order: 〒 code, prefecture → city → street → building, then the name with 様. */
export function addressLines(p: Personal): string[] {
  return [
    p.postalCode ? `〒${p.postalCode}` : '',
    [p.prefecture, p.city, p.addressLine1].filter(Boolean).join(''),
    p.addressLine2 ?? '',
    p.name ? `${p.name} 様` : '',
  ].filter(Boolean);
}

export function hasPostalAddress(p: Personal): boolean {
  return !!(p.name && p.postalCode && p.addressLine1 && (p.prefecture || p.city));
}

/**
 * Writes one PDF for the print shop: one letter per A4 page (address block top left, where a
 * window envelope shows it; then subject, body and an optional QR code). Streams page by page,
 * so a campaign of any size keeps memory flat; the file appears only when complete.
 */
export async function writeLetters(file: string, letters: AsyncIterable<Letter[]>, title: string): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  // Unique per writer: the print job and a download may render the same run at once.
  const partial = `${file}.${randomUUID()}.partial`;
  const doc = createPdf({ title });
  const out = createWriteStream(partial);
  const finished = new Promise<void>((resolve, reject) => {
    out.on('finish', () => resolve());
    out.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(out);
  let pages = 0;
  for await (const batch of letters) {
    for (const letter of batch) {
      doc.addPage();
      pages++;
      doc.font(FONT_REGULAR).fontSize(11);
      for (const line of addressLines(letter.personal)) doc.text(line, { width: 260 });
      doc.moveDown(3);
      doc.font(FONT_BOLD).fontSize(15).text(letter.subject);
      doc.moveDown();
      doc.font(FONT_REGULAR).fontSize(11).text(letter.body, { lineGap: 4 });
      if (letter.qrUrl) {
        // qrcode loads here, when a letter has a QR code, not with every CLI command.
        const { default: QRCode } = await import('qrcode');
        const png = await QRCode.toBuffer(letter.qrUrl, { margin: 1, width: 220 });
        doc.moveDown();
        doc.image(png, { width: 90 });
        doc.fontSize(8).text(letter.qrUrl);
      }
    }
  }
  if (pages === 0) {
    doc.addPage();
    doc.fontSize(12).text('No letters in this campaign run.');
  }
  doc.end();
  await finished;
  await rename(partial, file);
  return pages;
}
