import { describe, expect, it } from 'vitest';
import {
  canonicalEmail,
  canonicalIdentifier,
  canonicalPhone,
  canonicalPostalCode,
  nameKeysOf,
  nameQueryTiers,
  type KeySet,
  type NameTier,
  normaliseForSearch,
} from './normalise.js';

/** What customer_name_typos (SQL) gives for a dictionary key. */
function typosOf(key: string): string[] {
  const chars = [...key.slice(1)];
  if (chars.length < 3 || chars.length > 12 || /^([ぁ-ゖー]+|[a-z]+)$/.test(chars.join(''))) return [];
  return chars.map((_, i) => [...chars.slice(0, i), ...chars.slice(i + 1)].join(''));
}

/** The keys of a set, with the dictionary of words held by one customer only (its = keys). */
/** Whether a customer holding `held` matches `tier`, with the dictionary of words being its own = keys. */
function tierHolds(tier: NameTier, held: Set<string>): boolean {
  if (tier.afterWord === undefined) return tier.sets.every((set) => keysOf(set, held).some((k) => held.has(k)));
  const chars = [...tier.afterWord];
  return chars.slice(1).some((_, i) => {
    const word = `=${chars.slice(0, i + 1).join('')}`;
    const rest = chars.slice(i + 1).join('');
    return held.has(word) && keysOf({ keys: [`=${rest}`], startsWith: rest }, held).some((k) => held.has(k));
  });
}

function keysOf(set: KeySet, held: Set<string>): string[] {
  const dictionary = [...held].filter((k) => k.startsWith('='));
  const starts = set.startsWith;
  return [
    ...set.keys,
    ...(set.ifKnown ?? []).filter((k) => dictionary.includes(k)),
    ...dictionary.filter((k) => typosOf(k).some((t) => set.typoOf?.includes(t))),
    ...dictionary.filter((k) => starts && k.startsWith('=' + starts) && k !== '=' + starts),
    ...dictionary.filter((k) => set.endsWith && k.startsWith('=') && k.endsWith(set.endsWith) && k !== '=' + set.endsWith),
  ];
}

describe('search normalisation', () => {
  it('folds katakana (full and half width) to hiragana and full-width ASCII to half width', () => {
    expect(normaliseForSearch('ヤマダ　タロウ')).toBe('やまだ たろう');
    expect(normaliseForSearch('ﾔﾏﾀﾞ ﾀﾛｳ')).toBe('やまだ たろう');
    expect(normaliseForSearch('ＡＢＣ１２３')).toBe('abc123');
  });

  it('keys whole words, the run-together name and its typos', () => {
    const keys = nameKeysOf('長谷川 太郎', 'ハセガワ タロウ');
    expect(keys).toEqual(
      expect.arrayContaining(['=長谷川', '=太郎', '+長谷川太郎', '=はせがわ', '=たろう', '+はせがわたろう']),
    );
    // Starts, endings and a word's typos come from the dictionary of words.
    expect(keys.filter((k) => /^[\^|]/.test(k))).toEqual([]);
    // Typo keys of the run-together name (not the reading's, whose typos the query spells out).
    expect(keys.filter((k) => k.startsWith('~')).sort()).toEqual(['~長谷川太', '~長谷川郎', '~長谷太郎', '~長川太郎', '~谷川太郎'].sort());
    expect(nameKeysOf(null, null)).toEqual([]);
    expect(nameKeysOf('蓮', null)).toEqual(['=蓮']);
    expect(nameKeysOf('ジョン・スミス', null)).toEqual(expect.arrayContaining(['=じょん', '=すみす', '+じょんすみす']));
    expect(nameKeysOf('ジョン・スミス', null).filter((k) => k.startsWith('~'))).toEqual([]);
  });

  it('asks for the whole name first, then starts, endings, all words and typos', () => {
    const tiers = nameQueryTiers(' 山田　太郎 ');
    expect(tiers.slice(0, 4)).toEqual([
      { match: 'name', sets: [{ keys: ['=山田太郎', '+山田太郎'] }] },
      { match: 'name', sets: [{ keys: [], startsWith: '山田太郎' }] },
      { match: 'name', sets: [], afterWord: '山田太郎' },
      { match: 'name', sets: [{ keys: [], endsWith: '山田太郎' }] },
    ]);
    expect(tiers[4]).toEqual({
      match: 'name',
      sets: [
        { keys: ['=山田'], startsWith: '山田', endsWith: '山田' },
        { keys: ['=太郎'], startsWith: '太郎', endsWith: '太郎' },
      ],
    });
    expect(tiers[5]!.match).toBe('name_typo');
    expect(tiers[5]!.sets[0]!.typoOf).toEqual(expect.arrayContaining(['山田太郎', '田太郎', '山田郎']));
    expect(tiers[5]!.sets[0]!.keys).toEqual(expect.arrayContaining(['~山田太郎', '~田太郎']));
    // A query one character too long comes last: its shorter forms match shorter names.
    expect(tiers[6]).toEqual({
      match: 'name_typo',
      sets: [{ keys: ['+田太郎', '+山太郎', '+山田郎', '+山田太'], ifKnown: ['=田太郎', '=山太郎', '=山田郎', '=山田太'] }],
    });
    expect(nameQueryTiers('   ')).toEqual([]);
    expect(nameQueryTiers('・')).toEqual([]);
    expect(nameQueryTiers('蓮').map((t) => t.sets)).toEqual([[{ keys: ['=蓮', '+蓮'] }], [{ keys: [], startsWith: '蓮' }]]);
    // Punctuation between words is left out of the run-together name, as in the keys.
    expect(nameQueryTiers('ジョン・スミス')[0]).toEqual({ match: 'name', sets: [{ keys: ['=じょんすみす', '+じょんすみす'] }] });
  });

  it('finds every name and word one typo away from the query: a character replaced, dropped, added or two swapped', () => {
    const kana = [...'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわん'];
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const holds = (keys: Set<string>, tiers: NameTier[]) => tiers.some((tier) => tierHolds(tier, keys));
    for (let i = 0; i < 2_000; i++) {
      const family = Array.from({ length: 2 + rnd(3) }, () => kana[rnd(kana.length)]).join('');
      const given = Array.from({ length: 2 + rnd(3) }, () => kana[rnd(kana.length)]).join('');
      const keys = new Set(nameKeysOf(null, `${family} ${given}`));
      const kind = (i >> 1) % 4;
      // Half the queries are the whole name, half the family name alone: three or more
      // characters left after the typo (shorter queries get no typo lookups).
      const chars = [...(i % 2 && family.length >= (kind === 1 ? 4 : 3) ? family : family + given)];
      const at = rnd(chars.length);
      const typo = [...chars];
      if (kind === 0) typo[at] = kana[(kana.indexOf(chars[at]!) + 1) % kana.length]!;
      else if (kind === 1) typo.splice(at, 1);
      else if (kind === 2) typo.splice(at, 0, kana[rnd(kana.length)]!);
      else if (at + 1 < typo.length) [typo[at], typo[at + 1]] = [typo[at + 1]!, typo[at]!];
      expect(holds(keys, nameQueryTiers(typo.join(''))), `${family} ${given} ← ${typo.join('')}`).toBe(true);
    }
  });
});

describe('typos', () => {
  const holds = (keys: string[], query: string) =>
    nameQueryTiers(query).some((tier) => tierHolds(tier, new Set(keys)));

  it('finds a name written in kanji one character off through the dictionary\'s typos', () => {
    const keys = nameKeysOf('長谷川 太郎', null);
    for (const query of ['長谷山太郎', '長谷太郎', '長谷川太太郎', '長川谷太郎', '長谷用']) expect(holds(keys, query), query).toBe(true);
    expect(holds(keys, '長山用太郎')).toBe(false); // two off
  });

  it('finds a reading in Latin letters one letter off', () => {
    const keys = nameKeysOf(null, 'John Smith');
    for (const query of ['jonh smith', 'jhn smith', 'johnn smith', 'smiht', 'SMITHS']) expect(holds(keys, query), query).toBe(true);
    expect(holds(keys, 'jane smoth')).toBe(false);
  });

  it('spells out neighbours only for a query of one alphabet, and not for long ones', () => {
    const count = (q: string) => {
      const set = nameQueryTiers(q).find((t) => t.match === 'name_typo')?.sets[0];
      return (set?.keys.length ?? 0) + (set?.ifKnown?.length ?? 0) + (set?.typoOf?.length ?? 0);
    };
    expect(count('やまだ')).toBeGreaterThan(800);
    expect(count('山田太郎')).toBeLessThan(20);
    expect(count('やまだtaro')).toBeLessThan(20);
    expect(count('あいうえおかきくけこさしす')).toBeLessThan(30);
  });
});

describe('format checks', () => {
  it('accepts real e-mail addresses and lower-cases only the domain', () => {
    expect(canonicalEmail('Hanako.Sato@Example.JP')).toBe('Hanako.Sato@example.jp');
    expect(canonicalEmail('ｈａｎａｋｏ@example.jp')).toBe('hanako@example.jp');
    for (const bad of ['plain', 'a@b', 'a b@example.jp', '@example.jp', 'a@-example.jp']) expect(canonicalEmail(bad)).toBeNull();
  });

  it('accepts phone numbers with 7 to 15 digits', () => {
    expect(canonicalPhone('03-1234-5678')).toBe('03-1234-5678');
    expect(canonicalPhone('＋81 90 1234 5678')).toBe('+81 90 1234 5678');
    expect(canonicalPhone('123')).toBeNull();
    expect(canonicalPhone('call me')).toBeNull();
  });

  it('writes Japanese postal codes as 123-4567', () => {
    expect(canonicalPostalCode('1000001')).toBe('100-0001');
    expect(canonicalPostalCode('〒１００−０００１')).toBe('100-0001');
    expect(canonicalPostalCode('SW1A 1AA')).toBe('SW1A 1AA');
    expect(canonicalPostalCode('!!')).toBeNull();
    expect(canonicalPostalCode('abc')).toBeNull();
  });

  it('compares serials and card ids case-insensitively', () => {
    expect(canonicalIdentifier('product_serial', ' ab-12 cd ')).toBe('AB-12CD');
    expect(canonicalIdentifier('email', 'A@B.JP')).toBe('a@b.jp');
    expect(canonicalIdentifier('web_anonymous_id', 'AbC')).toBe('AbC');
  });
});

describe('numbers typed on a Japanese keyboard', () => {
  it('treat the minus sign, long-vowel mark and full-width hyphen as hyphens', () => {
    expect(canonicalPhone('０９０ー１２３４ー５６７８')).toBe('090-1234-5678');
    expect(canonicalPostalCode('１００－０００１')).toBe('100-0001');
  });
});
