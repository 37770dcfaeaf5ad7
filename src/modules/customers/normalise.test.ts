import { describe, expect, it } from 'vitest';
import {
  canonicalEmail,
  canonicalIdentifier,
  canonicalPhone,
  canonicalPostalCode,
  normaliseForSearch,
  normaliseQuery,
  searchNameOf,
} from './normalise.js';

describe('search normalisation', () => {
  it('folds katakana (full and half width) to hiragana and full-width ASCII to half width', () => {
    expect(normaliseForSearch('ヤマダ　タロウ')).toBe('やまだ たろう');
    expect(normaliseForSearch('ﾔﾏﾀﾞ ﾀﾛｳ')).toBe('やまだ たろう');
    expect(normaliseForSearch('ＡＢＣ１２３')).toBe('abc123');
  });

  it('keeps kanji and words apart and together in the search key', () => {
    const key = searchNameOf('長谷川 太郎', 'ハセガワ タロウ').split(' ');
    expect(key).toEqual(expect.arrayContaining(['長谷川', '太郎', '長谷川太郎', 'はせがわ', 'たろう', 'はせがわたろう']));
    // endings of two or more characters, so short fragments inside a word are found
    expect(key).toEqual(expect.arrayContaining(['谷川', '谷川太郎', 'せがわ', 'がわ']));
    expect(key).not.toContain('川');
    expect(normaliseQuery(' 山田　太郎 ')).toBe('山田太郎');
    expect(searchNameOf(null, null)).toBe('');
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
