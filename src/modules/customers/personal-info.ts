import type { FieldProblem } from '../../platform/errors.js';
import { canonicalEmail, canonicalPhone, canonicalPostalCode, digitsOf, nameKeysOf } from './normalise.js';
import type { CustomerRow } from './customers.repository.js';

/** The optional personal fields of a customer (SPEC X-2), as the API names them. */
export const PERSONAL_FIELDS = [
  'name',
  'nameReading',
  'postalCode',
  'prefecture',
  'city',
  'addressLine1',
  'addressLine2',
  'phone',
  'birthDate',
  'occupation',
  'email',
  'nickname',
] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];
export type Personal = Record<PersonalField, string | null>;
export type PersonalInput = Partial<Record<PersonalField, string | null>>;

export const COLUMN_OF = {
  name: 'name',
  nameReading: 'name_reading',
  postalCode: 'postal_code',
  prefecture: 'prefecture',
  city: 'city',
  addressLine1: 'address_line1',
  addressLine2: 'address_line2',
  phone: 'phone',
  birthDate: 'birth_date',
  occupation: 'occupation',
  email: 'email',
  nickname: 'nickname',
} as const satisfies Record<PersonalField, keyof CustomerRow>;

const MAX_LENGTH: Record<PersonalField, number> = {
  name: 100,
  nameReading: 100,
  postalCode: 10,
  prefecture: 50,
  city: 100,
  addressLine1: 200,
  addressLine2: 200,
  phone: 30,
  birthDate: 10,
  occupation: 100,
  email: 254,
  nickname: 50,
};

// Control characters never belong in personal info (they break printed mail and CSV).
const CONTROL = /[\u0000-\u001f\u007f]/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date from 1900 to today (checked without a Date object: this runs per imported row). */
function validBirthDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return false;
  return Date.UTC(year, month - 1, day) <= Date.now();
}

/**
 * Validates and canonicalises personal input. Text is kept as entered (trimmed); e-mail,
 * phone and postal code are checked for format. Empty strings clear a field like null.
 */
export function cleanPersonal(input: PersonalInput): { values: PersonalInput; problems: FieldProblem[] } {
  const values: PersonalInput = {};
  const problems: FieldProblem[] = [];
  for (const field of PERSONAL_FIELDS) {
    if (!(field in input)) continue;
    const raw = input[field];
    if (raw === null || raw === undefined || raw.trim() === '') {
      values[field] = null;
      continue;
    }
    let value = raw.trim();
    if (CONTROL.test(value)) {
      problems.push({ field, message: 'must not contain control characters' });
      continue;
    }
    // UTF-16 length ≥ code points: count code points only when the cheap length could exceed.
    if (value.length > MAX_LENGTH[field] && [...value].length > MAX_LENGTH[field]) {
      problems.push({ field, message: `must be at most ${MAX_LENGTH[field]} characters` });
      continue;
    }
    if (field === 'email') {
      const email = canonicalEmail(value);
      if (!email) {
        problems.push({ field, message: 'is not a valid e-mail address' });
        continue;
      }
      value = email;
    } else if (field === 'phone') {
      const phone = canonicalPhone(value);
      if (!phone) {
        problems.push({ field, message: 'is not a valid phone number (7–15 digits)' });
        continue;
      }
      value = phone;
    } else if (field === 'postalCode') {
      const postal = canonicalPostalCode(value);
      if (!postal) {
        problems.push({ field, message: 'is not a valid postal code (e.g. 123-4567)' });
        continue;
      }
      value = postal;
    } else if (field === 'birthDate') {
      const date = value.normalize('NFKC').replace(/\//g, '-');
      if (!validBirthDate(date)) {
        problems.push({ field, message: 'must be a past date as YYYY-MM-DD' });
        continue;
      }
      value = date;
    }
    values[field] = value;
  }
  return { values, problems };
}

export function personalOf(row: CustomerRow): Personal {
  const out = {} as Personal;
  for (const field of PERSONAL_FIELDS) out[field] = (row[COLUMN_OF[field]] as string | null) ?? null;
  return out;
}

/** Columns to write for the given personal values, with the derived search columns kept in step. */
export function columnsFor(values: PersonalInput, current?: Personal): Record<string, string | string[] | null> {
  const cols: Record<string, string | string[] | null> = {};
  for (const [field, value] of Object.entries(values) as [PersonalField, string | null][]) cols[COLUMN_OF[field]] = value;
  const merged = { ...current, ...values };
  // A new customer (no current values) gets keys even without a name: NULL means "not computed yet".
  if ('name' in values || 'nameReading' in values || !current) cols.name_keys = nameKeysOf(merged.name, merged.nameReading);
  if ('phone' in values) cols.phone_digits = values.phone ? digitsOf(values.phone) : null;
  return cols;
}
