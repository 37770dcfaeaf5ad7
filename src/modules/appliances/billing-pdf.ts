import { createPdf, FONT_BOLD, FONT_REGULAR, pdfToBuffer } from '../../platform/pdf.js';
import { monthLabel } from './appliance-time.js';
import type { BillView } from './billing.service.js';

const yen = (n: number) => `${n < 0 ? '−' : ''}¥${Math.abs(n).toLocaleString('en-US')}`;
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '—');

function header(doc: PDFKit.PDFDocument, title: string, subtitle: string, bill: BillView): void {
  doc.font(FONT_BOLD).fontSize(20).text(title, { align: 'left' });
  doc.font(FONT_REGULAR).fontSize(10).fillColor('#555').text(subtitle).fillColor('#000').moveDown(0.8);
  doc.fontSize(11).text(`${bill.customerName ?? '(no name)'} 様`);
  if (bill.address) doc.fontSize(9).text(bill.address);
  doc.fontSize(9).text(`お客様番号 Customer number: ${bill.customerNumber}`);
  doc.moveDown(0.6);
}

/**
 * A bill (請求書) as one A4 page per bill: lines per appliance and function, late usage
 * marked, the discount, the total. A provisional bill (month still open) says so.
 */
export async function billPdf(bills: BillView[]): Promise<Buffer> {
  const doc = createPdf({ title: 'Clientele appliance rental bill' });
  for (const bill of bills) {
    doc.addPage();
    const provisional = bill.status === 'provisional';
    header(doc, provisional ? '請求書（見込み） Provisional bill' : '請求書 Bill', `家電レンタル利用料 Appliance rental — ${monthLabel(bill.month)}`, bill);
    doc.fontSize(9).text(`請求番号 Bill number: ${bill.number ?? '— (month not closed)'}    発行日 Issued: ${day(bill.issuedAt)}`);
    if (provisional) doc.fillColor('#8a5200').text('この月はまだ締められていません。金額は変わることがあります。 The month is not closed; amounts may change.').fillColor('#000');
    doc.moveDown(0.6);
    const left = doc.page.margins.left;
    const width = doc.page.width - left - doc.page.margins.right;
    const amountX = left + width - 90;
    doc.font(FONT_BOLD).fontSize(9);
    const headY = doc.y;
    doc.text('製造番号 Appliance', left, headY, { width: 120 });
    doc.text('内容 Item', left + 125, headY, { width: amountX - left - 130 });
    doc.text('金額 Amount', amountX, headY, { width: 90, align: 'right' });
    doc.moveTo(left, doc.y + 2).lineTo(left + width, doc.y + 2).stroke('#999');
    doc.moveDown(0.4).font(FONT_REGULAR);
    if (bill.lines.length === 0) doc.text('ご利用はありません。 No charges.', left);
    for (const line of bill.lines) {
      if (doc.y > doc.page.height - doc.page.margins.bottom - 60) doc.addPage();
      const y = doc.y;
      const late = line.kind === 'late_usage';
      doc.fillColor(late ? '#9b231d' : '#000');
      doc.text(line.manufacturingNumber, left, y, { width: 120 });
      doc.text(line.description, left + 125, y, { width: amountX - left - 130 });
      const after = doc.y;
      doc.text(yen(line.amountYen), amountX, y, { width: 90, align: 'right' });
      doc.y = Math.max(after, doc.y) + 2;
      doc.fillColor('#000');
    }
    doc.moveTo(left, doc.y + 2).lineTo(left + width, doc.y + 2).stroke('#999');
    doc.moveDown(0.6);
    const total = (label: string, value: string, bold = false) => {
      const y = doc.y;
      doc.font(bold ? FONT_BOLD : FONT_REGULAR).fontSize(bold ? 12 : 10);
      doc.text(label, left + width - 300, y, { width: 200, align: 'right' });
      doc.text(value, amountX, y, { width: 90, align: 'right' });
    };
    total('小計 Subtotal', yen(bill.subtotalYen));
    total('割引 Discount', `−${yen(bill.discountYen)}`);
    total('ご請求額 Total', yen(bill.totalYen), true);
    if (bill.hasLateUsage) {
      doc.moveDown(1).font(FONT_REGULAR).fontSize(8).fillColor('#9b231d');
      doc.text('[LATE] 締め後に届いた前月以前のご利用分です。 Usage of an earlier, already closed month that arrived after it was billed.', left);
      doc.fillColor('#000');
    }
  }
  return pdfToBuffer(doc);
}

/** A receipt (領収書) for a paid bill. */
export async function receiptPdf(bill: BillView): Promise<Buffer> {
  const doc = createPdf({ title: 'Clientele appliance rental receipt', size: 'A5' });
  doc.addPage();
  header(doc, '領収書 Receipt', `家電レンタル利用料 Appliance rental — ${monthLabel(bill.month)}`, bill);
  doc.moveDown(0.5).font(FONT_BOLD).fontSize(22).text(`${yen(bill.totalYen)} -`, { align: 'center' });
  doc.moveDown(0.5).font(FONT_REGULAR).fontSize(10);
  doc.text('上記正に領収いたしました。 Received with thanks.', { align: 'center' });
  doc.moveDown(1).fontSize(9);
  doc.text(`請求番号 Bill number: ${bill.number}`);
  doc.text(`お支払日 Paid on: ${day(bill.paidAt)}`);
  doc.text(`但し ${monthLabel(bill.month)} 分 家電レンタル利用料として / for appliance rental, ${monthLabel(bill.month)}`);
  return pdfToBuffer(doc);
}
