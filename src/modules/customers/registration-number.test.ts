import { describe, expect, it } from 'vitest';
import {
  dammCheckDigit,
  formatRegistrationNo,
  generateRegistrationNo,
  isValidRegistrationNo,
  parseRegistrationNo,
} from './registration-number.js';

describe('user registration numbers', () => {
  it('are 10 digits whose check digit validates', () => {
    for (let i = 0; i < 1000; i++) {
      const n = generateRegistrationNo();
      expect(n).toMatch(/^[1-9]\d{9}$/);
      expect(isValidRegistrationNo(n)).toBe(true);
    }
  });

  it('catch every single mistyped digit', () => {
    const n = generateRegistrationNo();
    for (let pos = 0; pos < 10; pos++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === n[pos]) continue;
        const typo = n.slice(0, pos) + d + n.slice(pos + 1);
        expect(isValidRegistrationNo(typo)).toBe(false);
      }
    }
  });

  it('catch every swap of two adjacent different digits', () => {
    for (let k = 0; k < 200; k++) {
      const n = generateRegistrationNo();
      for (let pos = 0; pos < 9; pos++) {
        if (n[pos] === n[pos + 1]) continue;
        const swapped = n.slice(0, pos) + n[pos + 1] + n[pos] + n.slice(pos + 2);
        expect(isValidRegistrationNo(swapped)).toBe(false);
      }
    }
  });

  it('parse hyphens, spaces and full-width digits, and format for people', () => {
    const body = '572000000';
    const n = body + String(dammCheckDigit(body));
    expect(formatRegistrationNo(n)).toBe(`${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8)}`);
    const fullWidth = formatRegistrationNo(n).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    expect(parseRegistrationNo(fullWidth)).toBe(n);
    expect(parseRegistrationNo(` ${n.slice(0, 5)} ${n.slice(5)} `)).toBe(n);
    expect(parseRegistrationNo('1234')).toBeNull();
  });
});
