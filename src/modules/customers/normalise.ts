/**
 * Text normalisation for search and validation. Stored personal info is kept exactly as
 * entered; these functions produce the comparable forms.
 */

const KATAKANA_START = 0x30a1; // ァ
const KATAKANA_END = 0x30f6; // ヶ
const KANA_OFFSET = 0x60;

const KATAKANA = new RegExp(`[${String.fromCharCode(KATAKANA_START)}-${String.fromCharCode(KATAKANA_END)}]`, 'g');
const toHiragana = (c: string) => String.fromCharCode(c.charCodeAt(0) - KANA_OFFSET);

/** Full-width ASCII → half-width, half-width katakana → full-width (NFKC), katakana → hiragana, lower case, single spaces. */
export function normaliseForSearch(text: string | null | undefined): string {
  if (!text) return '';
  // One regular-expression pass instead of a string built code point by code point: this runs
  // twice per imported row, and the per-character concatenation was a measurable share of it.
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(KATAKANA, toHiragana)
    .replace(/[\s\u3000]+/g, ' ')
    .trim();
}

/**
 * The search key of a customer: name and reading, normalised, each as typed (words apart, so
 * a given name alone matches), run together (so 山田太郎 matches 山田 太郎), and with the
 * word endings of two or more characters (so a two-character fragment such as 谷川 matches
 * 長谷川: a trigram index cannot see inside a word for so short a query).
 */
export function searchNameOf(name: string | null | undefined, reading: string | null | undefined): string {
  // Built for bulk imports (once per row): parts are collected in first-seen order in one Set,
  // words are split on the single spaces normaliseForSearch leaves, and endings are cut from an
  // array of code points instead of re-spreading each word.
  const parts = new Set<string>();
  for (const text of [normaliseForSearch(name), normaliseForSearch(reading)]) {
    if (!text) continue;
    const words = text.split(' ');
    const joined = words.length === 1 ? text : words.join('');
    parts.add(text);
    parts.add(joined);
    const seen = new Set<string>();
    for (const word of words.length === 1 ? words : [...words, joined]) {
      if (seen.has(word)) continue;
      seen.add(word);
      const chars = Array.from(word);
      if (chars.length > 12) continue;
      for (let i = 1; i <= chars.length - 2; i++) parts.add(chars.length === word.length ? word.slice(i) : chars.slice(i).join(''));
    }
  }
  return [...parts].join(' ');
}

/** A search query in the form matched against searchNameOf: normalised, spaces removed. */
export function normaliseQuery(text: string): string {
  return normaliseForSearch(text).replace(/ /g, '');
}

// Dashes people type in numbers: hyphen variants, minus sign, and the katakana prolonged sound mark.
const DASHES = /[\u2010-\u2015\u2212\u30fc\uff0d\uff70]/g;

/** NFKC plus every dash look-alike turned into '-', for numbers typed on Japanese keyboards. */
function numericText(text: string): string {
  return text.normalize('NFKC').replace(DASHES, '-').trim();
}

export function digitsOf(text: string | null | undefined): string {
  return (text ?? '').normalize('NFKC').replace(/\D/g, '');
}

const EMAIL = /^[^\s@"(),:;<>[\\\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Returns the canonical e-mail (NFKC, trimmed, lower-case domain) or null when it is not an address. */
export function canonicalEmail(text: string): string | null {
  const value = text.normalize('NFKC').trim();
  if (value.length > 254 || !EMAIL.test(value)) return null;
  const at = value.lastIndexOf('@');
  return value.slice(0, at) + '@' + value.slice(at + 1).toLowerCase();
}

/** Phone numbers: digits with optional +, spaces, hyphens, parentheses; 7–15 digits. */
export function canonicalPhone(text: string): string | null {
  const value = numericText(text);
  if (!/^\+?[0-9][0-9 ()-]*$/.test(value)) return null;
  const digits = value.replace(/\D/g, '');
  return digits.length >= 7 && digits.length <= 15 ? value : null;
}

/** Japanese postal codes become 123-4567; other countries' codes are kept if they look like one. */
export function canonicalPostalCode(text: string): string | null {
  const value = numericText(text).replace(/^〒\s*/, '');
  const digits = value.replace(/[-\s]/g, '');
  if (/^\d{7}$/.test(digits)) return `${digits.slice(0, 3)}-${digits.slice(3)}`;
  // Other countries' codes: letters, digits, space or hyphen, and at least one digit.
  return /^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$/.test(value) && /\d/.test(value) ? value.toUpperCase() : null;
}

/** Identifier values compared case-insensitively are stored upper-case; e-mail lower-case; phone as digits. */
export function canonicalIdentifier(kind: string, value: string): string {
  const v = value.normalize('NFKC').trim();
  switch (kind) {
    case 'email':
      return v.toLowerCase();
    case 'phone':
    case 'registration_no':
      return v.replace(/\D/g, '');
    case 'product_serial':
    case 'member_card':
    case 'card_uid':
    case 'appliance_mfg_no':
      return v.replace(/\s+/g, '').toUpperCase();
    default:
      return v;
  }
}
