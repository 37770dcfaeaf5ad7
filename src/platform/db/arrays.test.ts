import { describe, expect, it } from 'vitest';
import { textArrayLiteral } from './arrays.js';

describe('array literals', () => {
  it('quotes and escapes only the elements that need it', () => {
    expect(textArrayLiteral(['a', 'b c', 'd"e', 'f\\g', '{h,i}', '山田'])).toBe('{a,"b c","d\\"e","f\\\\g","{h,i}",山田}');
    expect(textArrayLiteral([])).toBe('{}');
  });

  it('writes NULL for null, and quotes strings PostgreSQL would read as NULL or nothing', () => {
    expect(textArrayLiteral([null, 'null', 'NULL', '', 'x'])).toBe('{NULL,"null","NULL","",x}');
  });
});
