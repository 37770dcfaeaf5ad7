import type { PersonalField } from '../customers/personal-info.js';
import type { ProductCategory } from './registration.tables.js';

export const PRODUCT_CATEGORIES: readonly ProductCategory[] = ['pc', 'printer', 'scanner', 'terminal_adapter', 'storage', 'other'];

export interface FormField {
  name: PersonalField;
  label: { ja: string; en: string };
  required: boolean;
  type: 'text' | 'email' | 'tel' | 'date' | 'postal';
  maxLength: number;
}

/**
 * What the registration dialogue asks, in order. The server leads: agents render these
 * fields instead of hard-coding them, so the form can change without a new agent.
 */
export const REGISTRATION_FIELDS: readonly FormField[] = [
  { name: 'name', label: { ja: '氏名', en: 'Name' }, required: true, type: 'text', maxLength: 100 },
  { name: 'nameReading', label: { ja: 'フリガナ', en: 'Name reading (kana)' }, required: true, type: 'text', maxLength: 100 },
  { name: 'postalCode', label: { ja: '郵便番号', en: 'Postal code' }, required: true, type: 'postal', maxLength: 10 },
  { name: 'prefecture', label: { ja: '都道府県', en: 'Prefecture' }, required: true, type: 'text', maxLength: 50 },
  { name: 'city', label: { ja: '市区町村', en: 'City' }, required: true, type: 'text', maxLength: 100 },
  { name: 'addressLine1', label: { ja: '番地', en: 'Street address' }, required: true, type: 'text', maxLength: 200 },
  { name: 'addressLine2', label: { ja: '建物名・部屋番号', en: 'Building, room' }, required: false, type: 'text', maxLength: 200 },
  { name: 'phone', label: { ja: '電話番号', en: 'Phone' }, required: true, type: 'tel', maxLength: 30 },
  { name: 'email', label: { ja: 'メールアドレス', en: 'E-mail' }, required: true, type: 'email', maxLength: 254 },
  { name: 'birthDate', label: { ja: '生年月日', en: 'Birth date' }, required: false, type: 'date', maxLength: 10 },
  { name: 'occupation', label: { ja: '職業', en: 'Occupation' }, required: false, type: 'text', maxLength: 100 },
];

export const REGISTRATION_FORM = {
  fields: REGISTRATION_FIELDS,
  password: { minLength: 8 },
  categories: PRODUCT_CATEGORIES,
  consent: {
    email: {
      ja: '製品情報やサポートのお知らせをメールで受け取る',
      en: 'Send me product news and support notices by e-mail',
    },
  },
};
