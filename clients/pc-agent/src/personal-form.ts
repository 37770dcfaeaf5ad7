import type { FormField } from './server-client.js';

/**
 * Checks one answer against the server's form definition (required, maxLength, type), so a
 * mistake is shown the moment it is typed. The server checks again and has the last word.
 */
export type FieldCheck = { ok: true; value: string } | { ok: false; message: string };

const DASHES = /[\u2010-\u2015\u2212\u30fc\uff0d\uff70]/g;
const EMAIL = /^[^\s@"(),:;<>[\\\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

function numeric(text: string): string {
  return text.normalize('NFKC').replace(DASHES, '-').trim();
}

function validPastDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && y >= 1900 && date.getTime() <= Date.now();
}

export function checkField(field: FormField, raw: string): FieldCheck {
  const value = raw.trim();
  if (!value) return field.required ? { ok: false, message: '入力してください / This is required' } : { ok: true, value: '' };
  if (/[\u0000-\u001f\u007f]/.test(value)) return { ok: false, message: '使えない文字があります / Contains characters that are not allowed' };
  if (field.maxLength && [...value].length > field.maxLength) {
    return { ok: false, message: `${field.maxLength}文字以内で入力してください / At most ${field.maxLength} characters` };
  }
  switch (field.type) {
    case 'email': {
      const email = value.normalize('NFKC');
      return EMAIL.test(email) ? { ok: true, value: email } : { ok: false, message: 'メールアドレスの形式が正しくありません / Not a valid e-mail address' };
    }
    case 'tel': {
      const phone = numeric(value);
      const digits = phone.replace(/\D/g, '');
      return /^\+?[0-9][0-9 ()-]*$/.test(phone) && digits.length >= 7 && digits.length <= 15
        ? { ok: true, value: phone }
        : { ok: false, message: '電話番号は7〜15桁の数字で入力してください / A phone number has 7–15 digits' };
    }
    case 'postal': {
      const postal = numeric(value).replace(/^〒\s*/, '');
      const digits = postal.replace(/[-\s]/g, '');
      if (/^\d{7}$/.test(digits)) return { ok: true, value: `${digits.slice(0, 3)}-${digits.slice(3)}` };
      return /^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/.test(postal) && /\d/.test(postal)
        ? { ok: true, value: postal.toUpperCase() }
        : { ok: false, message: '郵便番号は 123-4567 の形式で入力してください / A postal code looks like 123-4567' };
    }
    case 'date': {
      const date = value.normalize('NFKC').replace(/[/.]/g, '-');
      return validPastDate(date) ? { ok: true, value: date } : { ok: false, message: '過去の日付を YYYY-MM-DD で入力してください / A past date as YYYY-MM-DD' };
    }
    default:
      return { ok: true, value };
  }
}

/** `customer.email`, `/customer/email` or `email` → `email`; null when it is not a personal field. */
export function personalFieldOf(path: string, fields: FormField[]): string | null {
  const name = path.replace(/^\//, '').replace(/\//g, '.').replace(/^customer\./, '');
  return fields.some((f) => f.name === name) ? name : null;
}

/** A registration number as typed (hyphens, spaces, full-width digits) → its 10 digits, or null. */
export function registrationNoOf(text: string): string | null {
  const digits = text.normalize('NFKC').replace(DASHES, '-').replace(/[\s-]/g, '');
  return /^\d{10}$/.test(digits) ? digits : null;
}

export function labelOf(field: FormField): string {
  return `${field.label.ja} / ${field.label.en}`;
}
