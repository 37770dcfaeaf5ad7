import type { ColumnType, Generated } from 'kysely';

export type IdentifierKind =
  | 'registration_no'
  | 'product_serial'
  | 'member_card'
  | 'card_uid'
  | 'appliance_mfg_no'
  | 'web_user_id'
  | 'web_anonymous_id'
  | 'email'
  | 'phone';
export type ConsentChannel = 'email' | 'postal_mail';
export type CustomerStatus = 'active' | 'merged' | 'erased';

export interface CustomersTable {
  id: Generated<number>;
  registration_no: string;
  status: ColumnType<CustomerStatus, CustomerStatus | undefined, CustomerStatus>;
  merged_into: number | null;
  name: string | null;
  name_reading: string | null;
  postal_code: string | null;
  prefecture: string | null;
  city: string | null;
  address_line1: string | null;
  address_line2: string | null;
  phone: string | null;
  birth_date: string | null;
  occupation: string | null;
  email: string | null;
  nickname: string | null;
  rank: ColumnType<string, string | undefined, string>;
  portal_password_hash: string | null;
  /** Name search keys (normalise.ts nameKeysOf); null until computed for rows from before they existed. */
  name_keys: ColumnType<string[] | null, string[] | undefined, string[]>;
  phone_digits: string | null;
  /** Current consent per channel: the latest consent_events entry's `granted`, kept in the same transaction. */
  email_consent: ColumnType<boolean, boolean | undefined, boolean>;
  postal_mail_consent: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  erased_at: Date | null;
}

export interface CustomerIdentifiersTable {
  id: Generated<number>;
  customer_id: number;
  kind: IdentifierKind;
  value: string;
  source: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface ConsentEventsTable {
  id: Generated<number>;
  customer_id: number;
  channel: ConsentChannel;
  granted: boolean;
  source: string;
  surface: string;
  at: ColumnType<Date, Date | undefined, never>;
}

/** The dictionary of words: every whole word (= key) some customer holds (migration 20261201_0100; triggers keep it). */
export interface CustomerNameWordsTable {
  key: string;
}

/** Each dictionary word with one character left out (its typos), for words of 3–12 characters not all kana or Latin letters. */
export interface CustomerNameWordTyposTable {
  typo: string;
  key: string;
}

export interface CustomersTables {
  customers: CustomersTable;
  customer_name_words: CustomerNameWordsTable;
  customer_name_word_typos: CustomerNameWordTyposTable;
  customer_identifiers: CustomerIdentifiersTable;
  consent_events: ConsentEventsTable;
}
