/** A benchmark option that must be a positive whole number; underscores allowed (1_000_000). */
export function positiveInt(value: string, name: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive whole number`);
  return n;
}
