import { describe, expect, it } from 'vitest';
import { textArrayLiteral } from './arrays.js';

describe('array literals', () => {
  it('writes array literals PostgreSQL reads back as the same strings', () => {
    expect(textArrayLiteral(['a', 'b c', 'd"e', 'f\\g', '{h,i}'])).toBe('{"a","b c","d\\"e","f\\\\g","{h,i}"}');
    expect(textArrayLiteral([])).toBe('{}');
  });
});
