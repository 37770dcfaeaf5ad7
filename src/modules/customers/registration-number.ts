import { randomInt } from 'node:crypto';

/**
 * User registration numbers: 9 random digits and a Damm check digit. Damm's quasigroup
 * catches every single mistyped digit and every swap of two adjacent digits.
 */
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

export function dammCheckDigit(digits: string): number {
  let interim = 0;
  for (const ch of digits) interim = DAMM[interim]![Number(ch)]!;
  return interim;
}

export function isValidRegistrationNo(digits: string): boolean {
  return /^\d{10}$/.test(digits) && dammCheckDigit(digits) === 0;
}

export function generateRegistrationNo(): string {
  const body = String(randomInt(1, 10)) + String(randomInt(0, 100_000_000)).padStart(8, '0');
  return body + String(dammCheckDigit(body));
}

/** 1234567890 → 1234-5678-90 */
export function formatRegistrationNo(digits: string): string {
  return `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8)}`;
}

/** Accepts hyphens, spaces and full-width digits; returns the 10 digits or null when the check digit fails. */
export function parseRegistrationNo(text: string): string | null {
  const digits = text.normalize('NFKC').replace(/[\s-]/g, '');
  return isValidRegistrationNo(digits) ? digits : null;
}
