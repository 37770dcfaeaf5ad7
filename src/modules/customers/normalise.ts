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

/*
 * Name search works on exact keys held in a GIN index (customers.name_keys). Every key starts
 * with a mark saying what it is, so no name can be mistaken for another kind of key:
 *   =word    a whole word (山田, やまだ)
 *   +name    the whole name run together, when it has more than one word (山田太郎 for 山田 太郎)
 *   ~typo    the run-together name (3 to TYPO_CHARS long) with one character left out, of the
 *            name (not the reading) when it is not all kana or Latin letters: two names one typo
 *            apart share such a key, whichever character was mistyped.
 * Words are split at spaces and punctuation (ジョン・スミス has the words じょん and すみす).
 * The name and the reading are keyed alike, each on its own.
 * Every = key is also a row of a dictionary of words (customer_name_words, one row per
 * distinct word): a search for the start or the ending of a word finds its words there first
 * (a B-tree range) and then the customers holding them, and a word's typos are rows of
 * customer_name_word_typos (the word with one character left out). A start that runs past the
 * first word (山田太 of 山田 太郎) is split after a dictionary word: 山田, and a word starting
 * with 太 (word order is not checked). A typo in kana or Latin letters is found by spelling out
 * the query's neighbours (typoNeighbours). Words repeat (family and given names), run-together
 * names hardly: these and their typos stay keys of each customer, words' starts, endings and
 * typos do not (they were most of the keys, and of the time it takes to build the index after
 * a bulk load). Why not trigrams: migrations/20261201_0070_customer_name_keys.sql; why a
 * dictionary of words: migrations/20261201_0100_customer_name_words.sql.
 */
/** Typos are looked up for words and names of 3 to this many characters (as customer_name_typos in SQL). */
const TYPO_CHARS = 12;
const WORD_BREAKS = /[\s\u3000・･.,'’"“”&/()（）「」-]+/;

function wordsOf(text: string): string[] {
  return text.split(WORD_BREAKS).filter(Boolean);
}

function withOneLeftOut(chars: string[], form = chars.join('')): string[] {
  if (form.length === chars.length) return chars.map((_, i) => form.slice(0, i) + form.slice(i + 1));
  return chars.map((_, i) => chars.slice(0, i).join('') + chars.slice(i + 1).join(''));
}

/**
 * The name keys of a customer (see above); empty when there is neither name nor reading. A key
 * may come twice (a name and its reading written alike): the GIN index holds it once, and
 * de-duplicating here (a Set) doubled the cost of this function, which runs per imported row.
 */
export function nameKeysOf(name: string | null | undefined, reading: string | null | undefined): string[] {
  const keys: string[] = [];
  for (const [field, text] of [normaliseForSearch(name), normaliseForSearch(reading)].entries()) {
    if (!text) continue;
    const words = wordsOf(text);
    for (const word of words) keys.push(`=${word}`);
    if (words.length < 2) continue;
    const joined = words.join('');
    keys.push(`+${joined}`);
    const chars = Array.from(joined);
    if (field === 0 && chars.length >= 3 && chars.length <= TYPO_CHARS && !alphabetOf(chars)) {
      for (const k of withOneLeftOut(chars, joined)) keys.push(`~${k}`);
    }
  }
  return keys;
}

/*
 * For a query written in one of these alphabets the search spells out every string one typo
 * away from it, a character replaced, added or two swapped (one dropped: the keys of the
 * shorter forms), and keeps those the dictionary holds. For a query of n characters that is
 * about 2 × 87 × n hiragana strings. The dictionary keeps no typos of keys written in one of
 * these alphabets (customer_name_typos in SQL).
 */
const TYPO_ALPHABETS = [
  // Hiragana (normaliseForSearch turns katakana into it) and the prolonged sound mark.
  [...Array.from({ length: 0x3096 - 0x3041 + 1 }, (_, i) => String.fromCharCode(0x3041 + i)), 'ー'],
  [...'abcdefghijklmnopqrstuvwxyz'],
].map((letters) => ({ letters, has: new Set(letters) }));

/** The one of TYPO_ALPHABETS every character is of, if any: typos of such text are spelled out from the query. */
function alphabetOf(chars: string[]) {
  return TYPO_ALPHABETS.find((a) => chars.every((c) => a.has.has(c)));
}

/** Strings one character replaced, added or swapped away from `chars`, when all are of one alphabet. */
function typoNeighbours(chars: string[]): string[] {
  const alphabet = alphabetOf(chars);
  if (!alphabet) return [];
  const out: string[] = [];
  for (let i = 0; i <= chars.length; i++) {
    const before = chars.slice(0, i).join('');
    const rest = chars.slice(i).join('');
    const after = chars.slice(i + 1).join('');
    for (const c of alphabet.letters) {
      out.push(before + c + rest);
      if (i < chars.length && c !== chars[i]) out.push(before + c + after);
    }
    if (i + 1 < chars.length) out.push(before + chars[i + 1] + chars[i] + chars.slice(i + 2).join(''));
  }
  return out;
}

/**
 * Keys a customer may hold, one of which it must: some given, some read from the dictionary of
 * words (customer_name_words, customer_name_word_typos) when searching.
 */
export interface KeySet {
  /** Keys as they are. */
  keys: string[];
  /** Keys kept only when the dictionary has them: typo candidates, nearly all nobody's. */
  ifKnown?: string[];
  /** The dictionary's words that, with one character left out, are one of these. */
  typoOf?: string[];
  /** The dictionary's words that start with this and are longer. */
  startsWith?: string;
  /** The dictionary's words (=) that end with this and are longer. */
  endsWith?: string;
}

/** One lookup of a name search: a customer matches when it holds a key of every set. */
export interface NameTier {
  /** What the match means, as the search reports it (matchedOn). */
  match: 'name' | 'name_typo';
  sets: KeySet[];
  /**
   * Instead of `sets`: this text split after each of its starts that is a dictionary word, the
   * longest first, one lookup each: that word, and a word that is or starts with the rest.
   */
  afterWord?: string;
}

/** Endings are looked up for queries of this many characters at most (longer ones are rarely endings). */
const ENDING_QUERY_CHARS = 11;
/** Typo lookups for queries of this many characters at most (spelling out a long query's neighbours costs more than it finds). */
const TYPO_QUERY_CHARS = 24;

/**
 * The lookups for a name query, best matches first: the whole word or name, a start, an
 * ending, every word of the query somewhere in the name (any order), then one typo away.
 */
export function nameQueryTiers(query: string): NameTier[] {
  const words = wordsOf(normaliseForSearch(query));
  // Run together as the + keys are: without spaces or punctuation.
  const q = words.join('');
  if (!q) return [];
  const chars = Array.from(q);
  const tiers: NameTier[] = [
    { match: 'name', sets: [{ keys: [`=${q}`, `+${q}`] }] },
    { match: 'name', sets: [{ keys: [], startsWith: q }] },
  ];
  if (chars.length >= 2) tiers.push({ match: 'name', sets: [], afterWord: q });
  if (chars.length >= 2 && chars.length <= ENDING_QUERY_CHARS) tiers.push({ match: 'name', sets: [{ keys: [], endsWith: q }] });
  if (words.length > 1) tiers.push({ match: 'name', sets: words.map((w) => ({ keys: [`=${w}`], startsWith: w, endsWith: w })) });
  if (chars.length >= 3 && chars.length <= TYPO_QUERY_CHARS) {
    const typo = new Set<string>();
    const names = new Set<string>();
    const near = new Set<string>();
    const tooLong = new Set<string>();
    const tooLongNames = new Set<string>();
    // One character too few in the query: the query is the word or name with one left out.
    if (chars.length < TYPO_CHARS) typo.add(q);
    for (const shorter of withOneLeftOut(chars, q)) {
      // One character mistyped: both lose it at the same place.
      if (chars.length <= TYPO_CHARS) typo.add(shorter);
      // One character too many: without it, the query is the name (short words would match too much).
      if (chars.length >= 4) {
        tooLong.add(`=${shorter}`);
        tooLongNames.add(`+${shorter}`);
      }
    }
    if (chars.length <= TYPO_CHARS) {
      for (const n of typoNeighbours(chars)) {
        near.add(`=${n}`);
        names.add(`+${n}`);
      }
    }
    for (const t of typo) names.add(`~${t}`);
    // Names as long as the query or longer first: without its last character やまぐちん is
    // やまぐち, a family name thousands share, who would otherwise crowd out やまぐち りん.
    tiers.push({ match: 'name_typo', sets: [{ keys: [...names], ifKnown: [...near], typoOf: [...typo] }] });
    if (tooLong.size) tiers.push({ match: 'name_typo', sets: [{ keys: [...tooLongNames], ifKnown: [...tooLong] }] });
  }
  return tiers;
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
