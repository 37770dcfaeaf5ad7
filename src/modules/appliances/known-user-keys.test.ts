import { describe, expect, it } from 'vitest';
import { KnownUserKeys } from './known-user-keys.js';

const entries = (...keys: string[]) => new Map(keys.map((k) => [k, k]));

describe('KnownUserKeys', () => {
  it('skips keys learned under the epoch a batch read', () => {
    const known = new KnownUserKeys();
    expect(known.unknown(3, entries('a', 'b'))).toEqual(['a', 'b']);
    known.learn(3, ['a', 'b']);
    expect(known.unknown(3, entries('a', 'b', 'c'))).toEqual(['c']);
  });

  it('forgets everything when a batch reads a newer epoch, and never trusts an older one', () => {
    const known = new KnownUserKeys();
    known.unknown(1, entries());
    known.learn(1, ['a']);
    expect(known.unknown(2, entries('a'))).toEqual(['a']);
    known.learn(1, ['a']); // a batch that read the old epoch committed late: not learned
    expect(known.unknown(2, entries('a'))).toEqual(['a']);
    known.learn(2, ['a']);
    expect(known.unknown(2, entries('a'))).toEqual([]);
    expect(known.unknown(1, entries('a'))).toEqual(['a']);
  });

  it('starts over when it holds more keys than its limit', () => {
    const known = new KnownUserKeys(2);
    known.unknown(0, entries());
    known.learn(0, ['a', 'b', 'c']);
    known.learn(0, ['d']);
    expect(known.unknown(0, entries('a', 'd'))).toEqual(['a']);
  });
});
