import { monthLabel, monthStart, nextMonth, type Month } from './appliance-time.js';
import type { BillLineKind } from './appliances.tables.js';

/** One appliance's part of a customer's monthly bill, with its tariff. */
export interface BillAppliance {
  manufacturingNumber: string;
  model: string;
  modelName: string;
  monthlyBaseYen: number;
  discountThresholdMinutes: number | null;
  discountPercent: number;
  /** Share of the month the customer had the appliance (0–1); the monthly base is prorated by it. */
  baseFraction: number;
  usage: BillUsage[];
}

export interface BillUsage {
  functionCode: string;
  functionName: string;
  usageMonth: Month;
  uses: number;
  billableMin: number;
  perUseYen: number;
  perMinuteYen: number;
}

export interface BillLine {
  kind: BillLineKind;
  manufacturingNumber: string;
  model: string;
  functionCode: string | null;
  usageMonth: Month | null;
  uses: number;
  billableMin: number;
  description: string;
  amountYen: number;
}

export interface ComputedBill {
  lines: BillLine[];
  subtotalYen: number;
  discountYen: number;
  totalYen: number;
  usageMinutes: number;
}

/** Whole yen, halves away from zero (amounts are never negative before the discount line). */
const yen = (x: number): number => Math.sign(x) * Math.round(Math.abs(x) + 1e-9);

const fmtYen = (n: number) => n.toLocaleString('en-US');

/**
 * A customer's rental bill for a month (A-7): per appliance the prorated monthly base, one
 * line per function used (uses × per-use price + billable minutes × per-minute price), late
 * usage from closed months on lines of their own, and the model's discount on the usage
 * charges when the appliance was used at least the threshold's minutes in this bill.
 */
export function computeBill(month: Month, appliances: BillAppliance[]): ComputedBill {
  const lines: BillLine[] = [];
  let subtotal = 0;
  let discountTotal = 0;
  let usageMinutes = 0;
  for (const a of [...appliances].sort((x, y) => x.manufacturingNumber.localeCompare(y.manufacturingNumber))) {
    const base = yen(a.monthlyBaseYen * Math.min(Math.max(a.baseFraction, 0), 1));
    const common = { manufacturingNumber: a.manufacturingNumber, model: a.model };
    if (a.monthlyBaseYen > 0 && base > 0) {
      const share = a.baseFraction >= 0.9999 ? '' : ` (${Math.round(a.baseFraction * 100)}% of the month)`;
      lines.push({
        ...common, kind: 'base', functionCode: null, usageMonth: month, uses: 0, billableMin: 0,
        description: `月額基本料 Monthly base ${a.modelName}${share}`, amountYen: base,
      });
      subtotal += base;
    }
    let usageCharge = 0;
    let minutes = 0;
    const ordered = [...a.usage].sort(
      (x, y) => Number(x.usageMonth !== month) - Number(y.usageMonth !== month) || x.usageMonth.localeCompare(y.usageMonth) || x.functionCode.localeCompare(y.functionCode),
    );
    for (const u of ordered) {
      const amount = yen(u.uses * u.perUseYen + u.billableMin * u.perMinuteYen);
      const late = u.usageMonth < month;
      lines.push({
        ...common,
        kind: late ? 'late_usage' : 'usage',
        functionCode: u.functionCode,
        usageMonth: u.usageMonth,
        uses: u.uses,
        billableMin: u.billableMin,
        description: `${late ? `[LATE ${monthLabel(u.usageMonth)} 遅延分] ` : ''}${u.functionCode} ${u.functionName}: ${u.uses} ${u.uses === 1 ? 'use' : 'uses'}, ${u.billableMin} min`,
        amountYen: amount,
      });
      usageCharge += amount;
      minutes += u.billableMin;
    }
    subtotal += usageCharge;
    usageMinutes += minutes;
    if (a.discountThresholdMinutes !== null && a.discountPercent > 0 && minutes >= a.discountThresholdMinutes && usageCharge > 0) {
      const discount = yen((usageCharge * a.discountPercent) / 100);
      if (discount > 0) {
        lines.push({
          ...common, kind: 'discount', functionCode: null, usageMonth: null, uses: 0, billableMin: minutes,
          description: `割引 Discount ${a.discountPercent}% of ${fmtYen(usageCharge)} yen usage (${minutes} min ≥ ${a.discountThresholdMinutes} min)`,
          amountYen: -discount,
        });
        discountTotal += discount;
      }
    }
  }
  return { lines, subtotalYen: subtotal, discountYen: discountTotal, totalYen: subtotal - discountTotal, usageMinutes };
}

/** The share of a month an interval [from, to) covers. */
export function monthShare(month: Month, from: Date, to: Date | null): number {
  const start = monthStart(month).getTime();
  const end = monthStart(nextMonth(month)).getTime();
  const a = Math.max(start, from.getTime());
  const b = Math.min(end, to ? to.getTime() : end);
  return b > a ? (b - a) / (end - start) : 0;
}

/** Bill numbers: one per customer and month, e.g. AB202610-0100001. */
export const billNumber = (month: Month, customerId: number): string =>
  `AB${month.slice(0, 4)}${month.slice(5, 7)}-${String(customerId).padStart(7, '0')}`;
