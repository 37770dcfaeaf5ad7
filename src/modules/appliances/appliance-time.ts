/**
 * Calendar arithmetic for appliance usage. Months, hours of day and weekdays are those of
 * Japan (Asia/Tokyo), where the appliances are used and billed. Japan has no daylight saving
 * time, so a fixed +09:00 offset here gives exactly what PostgreSQL's `AT TIME ZONE
 * 'Asia/Tokyo'` gives in the recalculation SQL — the two must agree to the second.
 */
export const APPLIANCE_TIME_ZONE = 'Asia/Tokyo';
const OFFSET_MS = 9 * 3600_000;

/** A month as its first day, 'YYYY-MM-01'. */
export type Month = string;

const MONTH = /^(\d{4})-(\d{2})(?:-01)?$/;

/** The month (Japan time) an instant falls in. */
export function monthOf(at: Date): Month {
  const local = new Date(at.getTime() + OFFSET_MS);
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** Hour of day 0–23 and weekday 0 (Sunday)–6 in Japan time. */
export function hourAndWeekday(at: Date): { hour: number; weekday: number } {
  const local = new Date(at.getTime() + OFFSET_MS);
  return { hour: local.getUTCHours(), weekday: local.getUTCDay() };
}

/** 'YYYY-MM' or 'YYYY-MM-01' → 'YYYY-MM-01', or null when it is not a month. */
export function parseMonth(text: string): Month | null {
  const m = MONTH.exec(text.trim());
  if (!m) return null;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  return `${m[1]}-${m[2]}-01`;
}

/** The instant a month starts (00:00 Japan time on its first day). */
export function monthStart(month: Month): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 1) - OFFSET_MS);
}

export function addMonths(month: Month, n: number): Month {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

export const nextMonth = (month: Month): Month => addMonths(month, 1);

/** 'YYYY-MM' for people. */
export const monthLabel = (month: Month): string => month.slice(0, 7);

/** Months from..to inclusive, oldest first. */
export function monthsBetween(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let m = from; m <= to && out.length < 1200; m = nextMonth(m)) out.push(m);
  return out;
}

/**
 * The bill a record belongs on: its usage month, or — when that month's bills were already
 * closed when the record arrived — the first open month after it ("late" usage).
 */
export function billMonthFor(usageMonth: Month, closed: ReadonlySet<Month>): Month {
  let m = usageMonth;
  while (closed.has(m)) m = nextMonth(m);
  return m;
}

/** Duration histogram buckets: 5-minute steps, the last one is "120 minutes or more". */
export const BUCKET_SECONDS = 300;
export const LAST_BUCKET = 24;

export function durationBucket(seconds: number): number {
  return Math.min(Math.floor(Math.max(seconds, 0) / BUCKET_SECONDS), LAST_BUCKET);
}

export function bucketLabel(bucket: number): string {
  const from = (bucket * BUCKET_SECONDS) / 60;
  return bucket >= LAST_BUCKET ? `${from}+ min` : `${from}–${from + BUCKET_SECONDS / 60} min`;
}

/** Billable minutes of one record: every started minute counts. */
export const billableMinutes = (seconds: number): number => Math.ceil(Math.max(seconds, 0) / 60);
