import { describe, expect, it } from 'vitest';
import { billableMinutes, billMonthFor, durationBucket, hourAndWeekday, monthOf, monthStart, nextMonth } from './appliance-time.js';
import { billNumber, computeBill, monthShare, type BillAppliance } from './billing.js';
import { splitPrefecture } from './areas.js';

const washer = (over: Partial<BillAppliance> = {}): BillAppliance => ({
  manufacturingNumber: 'NW-0001',
  model: 'NW-700',
  modelName: 'Network washer',
  monthlyBaseYen: 1000,
  discountThresholdMinutes: 100,
  discountPercent: 10,
  baseFraction: 1,
  usage: [
    { functionCode: 'A-01', functionName: 'Drying', usageMonth: '2026-10-01', uses: 3, billableMin: 60, perUseYen: 50, perMinuteYen: 2 },
    { functionCode: 'A-02', functionName: 'Mattress', usageMonth: '2026-10-01', uses: 1, billableMin: 45, perUseYen: 100, perMinuteYen: 1 },
  ],
  ...over,
});

describe('a monthly rental bill', () => {
  it('charges the base, each function per use and per minute, and the discount above the usage threshold', () => {
    const bill = computeBill('2026-10-01', [washer()]);
    expect(bill.lines.map((l) => [l.kind, l.functionCode, l.amountYen])).toEqual([
      ['base', null, 1000],
      ['usage', 'A-01', 270], // 3 × 50 + 60 min × 2
      ['usage', 'A-02', 145], // 1 × 100 + 45 min × 1
      ['discount', null, -42], // 10 % of 415, rounded half up
    ]);
    expect(bill).toMatchObject({ subtotalYen: 1415, discountYen: 42, totalYen: 1373, usageMinutes: 105 });
  });

  it('gives no discount below the threshold and prorates the base for part of a month', () => {
    const bill = computeBill('2026-10-01', [washer({ baseFraction: 0.5, usage: [washer().usage[0]!] })]);
    expect(bill.lines.map((l) => [l.kind, l.amountYen])).toEqual([
      ['base', 500],
      ['usage', 270],
    ]);
    expect(bill.totalYen).toBe(770);
  });

  it('puts late usage of a closed month on lines of its own, marked, after the month’s own usage', () => {
    const late = { functionCode: 'A-01', functionName: 'Drying', usageMonth: '2026-09-01', uses: 1, billableMin: 10, perUseYen: 50, perMinuteYen: 2 };
    const bill = computeBill('2026-10-01', [washer({ usage: [late, ...washer().usage] })]);
    const lateLine = bill.lines.find((l) => l.kind === 'late_usage')!;
    expect(lateLine).toMatchObject({ usageMonth: '2026-09-01', amountYen: 70 });
    expect(lateLine.description).toContain('[LATE 2026-09');
    expect(bill.lines.map((l) => l.kind)).toEqual(['base', 'usage', 'usage', 'late_usage', 'discount']);
    expect(bill.discountYen).toBe(49); // 10 % of 485 (the late usage counts towards the threshold and the discount)
  });

  it('numbers bills by month and customer', () => {
    expect(billNumber('2026-10-01', 100042)).toBe('AB202610-0100042');
  });
});

describe('appliance time (Japan)', () => {
  it('puts months, hours and weekdays in Japan time', () => {
    expect(monthOf(new Date('2026-09-30T15:30:00Z'))).toBe('2026-10-01'); // 00:30 on 1 October in Tokyo
    expect(hourAndWeekday(new Date('2026-10-04T15:00:00Z'))).toEqual({ hour: 0, weekday: 1 }); // Monday 00:00 JST
    expect(monthStart('2026-10-01').toISOString()).toBe('2026-09-30T15:00:00.000Z');
    expect(nextMonth('2026-12-01')).toBe('2027-01-01');
  });

  it('sends records of a closed month to the next open bill', () => {
    expect(billMonthFor('2026-09-01', new Set())).toBe('2026-09-01');
    expect(billMonthFor('2026-09-01', new Set(['2026-09-01', '2026-10-01']))).toBe('2026-11-01');
  });

  it('buckets durations by 5 minutes up to 2 hours and bills every started minute', () => {
    expect([0, 299, 300, 1799, 1800, 7200, 99_999].map(durationBucket)).toEqual([0, 0, 1, 5, 6, 24, 24]);
    expect([0, 1, 60, 61].map(billableMinutes)).toEqual([0, 1, 1, 2]);
  });

  it('prorates by the share of the month', () => {
    const from = new Date(monthStart('2026-11-01').getTime() + 15 * 86_400_000);
    expect(monthShare('2026-11-01', from, null)).toBeCloseTo(0.5, 5);
    expect(monthShare('2026-11-01', new Date('2020-01-01'), from)).toBeCloseTo(0.5, 5);
    expect(monthShare('2026-11-01', new Date('2020-01-01'), new Date('2020-02-01'))).toBe(0);
  });
});

describe('areas', () => {
  it('finds the prefecture in Japanese and romanised addresses', () => {
    expect(splitPrefecture('大阪府大阪市北区梅田1-1')).toEqual({ prefecture: '大阪府', rest: '大阪市北区梅田1-1' });
    expect(splitPrefecture('△△, Osaka').prefecture).toBe('大阪府');
    expect(splitPrefecture('神奈川横浜市').prefecture).toBe('神奈川県');
    expect(splitPrefecture('somewhere').prefecture).toBeNull();
  });
});
