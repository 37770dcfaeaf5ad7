import { sql, type RawBuilder } from 'kysely';
import { textArrayLiteral } from '../../platform/db/arrays.js';
import type { Executor } from '../../platform/db/database.js';
import type { KeySet } from './normalise.js';

/** Above every character: `text` and this bound every string that starts with `text` (byte order). */
const AFTER_ALL = '\u{10FFFF}';

const reversed = (text: string) => Array.from(text).reverse().join('');

/**
 * The dictionary of words (customer_name_words, migration 20261201_0100): every whole word (=)
 * some customer holds, with its typos (customer_name_word_typos), kept by triggers on customers.
 */
export const customerNameWordsRepository = {
  /** The keys of `set` (see KeySet), with at most `cap` read from the dictionary per part. */
  async keysOf(db: Executor, set: KeySet, cap: number): Promise<string[]> {
    const read = async (query: RawBuilder<{ key: string }>) => (await query.execute(db)).rows.map((r) => r.key);
    const parts: Promise<string[]>[] = [];
    if (set.ifKnown?.length) {
      parts.push(read(sql`select key from customer_name_words where key = any(${textArrayLiteral(set.ifKnown)}::text[])`));
    }
    if (set.typoOf?.length) {
      parts.push(read(sql`
        select distinct key from customer_name_word_typos where typo = any(${textArrayLiteral(set.typoOf)}::text[]) limit ${cap}`));
    }
    if (set.startsWith) {
      const from = '=' + set.startsWith;
      parts.push(read(sql`
        select key from customer_name_words where key > ${from} and key < ${from + AFTER_ALL}
        order by key limit ${cap}`));
    }
    if (set.endsWith) {
      const from = reversed(set.endsWith);
      parts.push(read(sql`
        select key from customer_name_words
        where reverse(key) > ${from} and reverse(key) < ${from + AFTER_ALL} and key <> ${'=' + set.endsWith}
        order by reverse(key) limit ${cap}`));
    }
    return [...set.keys, ...(await Promise.all(parts)).flat()];
  },

  /**
   * The ways to read `text` as a dictionary word followed by the start of another (NameTier
   * afterWord), the longest first word first: for each, the key sets of that lookup.
   */
  async splitsAfterWord(db: Executor, text: string): Promise<KeySet[][]> {
    const chars = Array.from(text);
    const starts = chars.slice(1).map((_, i) => '=' + chars.slice(0, i + 1).join(''));
    const found = await sql<{ key: string }>`
      select key from customer_name_words where key = any(${textArrayLiteral(starts)}::text[])`.execute(db);
    return found.rows
      .map((r) => r.key)
      .sort((a, b) => b.length - a.length)
      .map((word) => {
        const rest = chars.slice(Array.from(word).length - 1).join('');
        return [{ keys: [word] }, { keys: [`=${rest}`], startsWith: rest }];
      });
  },
};
