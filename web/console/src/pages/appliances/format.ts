export const yen = (n: number) => `${n < 0 ? '−' : ''}¥${Math.abs(Math.round(n)).toLocaleString('en-US')}`;
export const num = (n: number) => n.toLocaleString('en-US');

/** Seconds as "12 h 05 min" / "35 min" / "40 s". */
export function duration(sec: number): string {
  if (sec < 60) return `${Math.round(sec)} s`;
  const minutes = Math.round(sec / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60).toLocaleString('en-US')} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export const monthText = (m: string) => m.slice(0, 7);
export const dateTime = (iso: string | null) => (iso ? new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' }) : '—');

/** This month (Japan time) as YYYY-MM. */
export function currentMonth(): string {
  const local = new Date(Date.now() + 9 * 3600_000);
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export const PRODUCT_TYPE_NAMES: Record<string, string> = {
  washer: 'Washing machines 洗濯機',
  microwave: 'Microwave ovens 電子レンジ',
  dvd_recorder: 'DVD recorders DVDレコーダー',
  rice_cooker: 'Rice cookers 炊飯器',
  air_conditioner: 'Air conditioners エアコン',
  pc: 'PCs パソコン',
  other: 'Other その他',
};
