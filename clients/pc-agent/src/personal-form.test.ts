import { describe, expect, it } from 'vitest';
import { checkField, personalFieldOf, registrationNoOf } from './personal-form.js';
import type { FormField } from './server-client.js';

const field = (type: FormField['type'], required = true, maxLength = 100): FormField => ({ name: 'x', label: { ja: 'X', en: 'X' }, required, type, maxLength });

describe('checking an answer against the server’s form', () => {
  it('requires required fields and lets optional ones be empty', () => {
    expect(checkField(field('text'), '  ')).toMatchObject({ ok: false, message: expect.stringContaining('required') });
    expect(checkField(field('text', false), '')).toEqual({ ok: true, value: '' });
  });

  it('counts characters, not bytes, against maxLength', () => {
    expect(checkField(field('text', true, 4), '山田太郎')).toEqual({ ok: true, value: '山田太郎' });
    expect(checkField(field('text', true, 4), '山田太郎花')).toMatchObject({ ok: false, message: expect.stringContaining('At most 4') });
  });

  it.each([
    ['email', 'taro@example.jp', 'taro@example.jp'],
    ['email', 'ｔａｒｏ＠example.jp', 'taro@example.jp'],
    ['tel', '０３ー１２３４ー５６７８', '03-1234-5678'],
    ['tel', '+81 3 1234 5678', '+81 3 1234 5678'],
    ['postal', '1000001', '100-0001'],
    ['postal', '〒100－0001', '100-0001'],
    ['date', '1990/05/06', '1990-05-06'],
  ] as const)('accepts %s %j as %j', (type, input, value) => {
    expect(checkField(field(type), input)).toEqual({ ok: true, value });
  });

  it.each([
    ['email', 'taro@example'],
    ['tel', '123'],
    ['tel', 'call me'],
    ['postal', '---'],
    ['date', '1990-02-30'],
    ['date', '2999-01-01'],
    ['date', '1850-01-01'],
  ] as const)('refuses %s %j', (type, input) => {
    expect(checkField(field(type), input).ok).toBe(false);
  });

  it('refuses control characters', () => {
    expect(checkField(field('text'), 'a\u0007b').ok).toBe(false);
  });
});

describe('field names in the server’s invalid_input', () => {
  const fields = [field('text'), { ...field('email'), name: 'email' }];
  it('are mapped back to the form’s fields', () => {
    expect(personalFieldOf('customer.email', fields)).toBe('email');
    expect(personalFieldOf('/customer/email', fields)).toBe('email');
    expect(personalFieldOf('email', fields)).toBe('email');
    expect(personalFieldOf('products.0.serial', fields)).toBeNull();
  });
});

describe('registration numbers as typed', () => {
  it('accept hyphens, spaces, full-width digits and Japanese dashes', () => {
    expect(registrationNoOf('1234-5678-90')).toBe('1234567890');
    expect(registrationNoOf('１２３４ー５６７８ー９０')).toBe('1234567890');
    expect(registrationNoOf('1234 5678 90')).toBe('1234567890');
    expect(registrationNoOf('1234-5678-9')).toBeNull();
  });
});
