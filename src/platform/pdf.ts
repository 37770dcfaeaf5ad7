import { createRequire } from 'node:module';
import path from 'node:path';
import type PDFKitDocument from 'pdfkit';

const require = createRequire(import.meta.url);

// pdfkit (with fontkit) is a third of every CLI command's start-up: loaded on the first document.
let pdfkit: typeof PDFKitDocument | undefined;
const loadPdfkit = (): typeof PDFKitDocument => (pdfkit ??= require('pdfkit') as typeof PDFKitDocument);

/**
 * Noto Sans JP from the npm registry (SIL Open Font License), so printed documents render
 * Japanese on any machine without system fonts. pdfkit embeds only the glyphs used.
 */
function fontFile(weight: '400Regular' | '700Bold'): string {
  const pkg = path.dirname(require.resolve('@expo-google-fonts/noto-sans-jp/package.json'));
  return path.join(pkg, weight, `NotoSansJP_${weight}.ttf`);
}

export const FONT_REGULAR = 'jp-regular';
export const FONT_BOLD = 'jp-bold';

export interface PdfOptions {
  size?: 'A4' | 'A5' | 'B5' | [number, number];
  margin?: number;
  title?: string;
}

/** A PDF document with Japanese fonts registered (`jp-regular`, `jp-bold`) and selected. */
export function createPdf(options: PdfOptions = {}): PDFKit.PDFDocument {
  const PDFDocument = loadPdfkit();
  const doc = new PDFDocument({
    size: options.size ?? 'A4',
    margin: options.margin ?? 56,
    info: { Title: options.title ?? 'Clientele', Producer: 'Clientele' },
    autoFirstPage: false,
    bufferPages: false,
  });
  doc.registerFont(FONT_REGULAR, fontFile('400Regular'));
  doc.registerFont(FONT_BOLD, fontFile('700Bold'));
  doc.font(FONT_REGULAR);
  return doc;
}

/** Collects a finished document into a Buffer (small documents; stream big ones to a file). */
export function pdfToBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
