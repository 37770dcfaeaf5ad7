import type { ConsentChannel, CustomerStatus, IdentifierKind, PersonalField } from './types';

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-11-22 14:05` in the browser's time zone; the raw value if it is not a date. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const FIELD_LABELS: Record<PersonalField, string> = {
  name: 'Name',
  nameReading: 'Reading (kana)',
  email: 'E-mail',
  phone: 'Phone',
  birthDate: 'Date of birth',
  occupation: 'Occupation',
  nickname: 'Nickname',
  postalCode: 'Postal code',
  prefecture: 'Prefecture',
  city: 'City',
  addressLine1: 'Address line 1',
  addressLine2: 'Address line 2',
};

export const IDENTIFIER_LABELS: Record<IdentifierKind, string> = {
  registration_no: 'Registration no.',
  product_serial: 'Product serial',
  member_card: 'Member card',
  card_uid: 'Card UID',
  appliance_mfg_no: 'Appliance mfg. no.',
  web_user_id: 'Web user ID',
  web_anonymous_id: 'Web anonymous ID',
  email: 'E-mail',
  phone: 'Phone',
};

export const CHANNEL_LABELS: Record<ConsentChannel, string> = {
  email: 'E-mail',
  postal_mail: 'Postal mail',
};

export const STATUS_LABELS: Record<CustomerStatus, string> = {
  active: 'Active',
  merged: 'Merged',
  erased: 'Erased',
};

export const ACTION_LABELS: Record<string, string> = {
  'customer.create': 'Created',
  'customer.update': 'Updated',
  'identifier.add': 'Identifier added',
  'identifier.remove': 'Identifier removed',
  'consent.change': 'Consent changed',
  'customer.merge': 'Merged',
  'customer.unmerge': 'Merge undone',
  'customer.erase': 'Erased',
  'customer.export': 'Exported',
  'customer.merged_into': 'Merged into another customer',
};

const EXTRA_LABELS: Record<string, string> = {
  registrationNo: 'Registration no.',
  customerNumber: 'Customer no.',
  mergedInto: 'Merged into',
  status: 'Status',
  rank: 'Rank',
  kind: 'Kind',
  value: 'Value',
  source: 'Source',
  channel: 'Channel',
  granted: 'Granted',
  mergeId: 'Merge no.',
  otherCustomerNumber: 'Other customer',
  survivorCustomerNumber: 'Kept customer',
  mergedCustomerNumber: 'Merged customer',
  reason: 'Reason',
  postal_mail: 'Postal mail',
  postalMail: 'Postal mail',
  loserId: 'Merged customer',
  survivorId: 'Kept customer',
  identifiersReleased: 'Identifiers released',
  identifierKinds: 'Identifier kinds',
};

/** A readable label for a field name in an audit diff: `personal.birthDate` → `Date of birth`. */
export function labelOfKey(path: string): string {
  const last = path.split('.').pop() ?? path;
  return (FIELD_LABELS as Record<string, string>)[last] ?? EXTRA_LABELS[last] ?? path;
}

/** A value in an audit entry, with identifier kinds and consent channels spelled out. */
export function formatAuditValue(key: string, value: unknown): string {
  const last = key.split('.').pop();
  if (typeof value === 'string' && last === 'kind' && value in IDENTIFIER_LABELS) return IDENTIFIER_LABELS[value as IdentifierKind];
  if (typeof value === 'string' && last === 'channel' && value in CHANNEL_LABELS) return CHANNEL_LABELS[value as ConsentChannel];
  return formatValue(value);
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.join(', ');
  return JSON.stringify(value);
}

export const digitsOnly = (s: string) => s.replace(/[^0-9０-９]/g, '').replace(/[０-９]/g, (c) => String(c.charCodeAt(0) - 0xff10));

export const PREFECTURES = [
  '北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県', '栃木県', '群馬県',
  '埼玉県', '千葉県', '東京都', '神奈川県', '新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県',
  '岐阜県', '静岡県', '愛知県', '三重県', '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県',
  '鳥取県', '島根県', '岡山県', '広島県', '山口県', '徳島県', '香川県', '愛媛県', '高知県', '福岡県',
  '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県',
];
