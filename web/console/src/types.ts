/** Shapes of the console API (see the server's OpenAPI document at /openapi.json). */

export type StaffRole = 'admin' | 'sales' | 'store' | 'facility' | 'partner';

export interface Staff {
  id: number;
  username: string;
  displayName: string;
  role: StaffRole;
  storeId: number | null;
  facilityId: number | null;
  partnerId: number | null;
}

export interface Session {
  staff: Staff;
  csrfToken: string;
}

export type CustomerStatus = 'active' | 'merged' | 'erased';

export interface CustomerSummary {
  customerNumber: string;
  registrationNo: string;
  registrationNoFormatted: string;
  name: string | null;
  nameReading: string | null;
  email: string | null;
  phone: string | null;
  status: CustomerStatus;
  /** Why the search returned it; `name_typo`: a name one character away from the query. */
  matchedOn?: string;
}

export const PERSONAL_FIELDS = [
  'name',
  'nameReading',
  'email',
  'phone',
  'birthDate',
  'occupation',
  'nickname',
  'postalCode',
  'prefecture',
  'city',
  'addressLine1',
  'addressLine2',
] as const;

export type PersonalField = (typeof PERSONAL_FIELDS)[number];
export type Personal = Record<PersonalField, string | null>;

export const IDENTIFIER_KINDS = [
  'registration_no',
  'product_serial',
  'member_card',
  'card_uid',
  'appliance_mfg_no',
  'web_user_id',
  'web_anonymous_id',
  'email',
  'phone',
] as const;

export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

export interface Identifier {
  id: number;
  kind: IdentifierKind;
  value: string;
  source: string;
  createdAt: string;
}

export type ConsentChannel = 'email' | 'postal_mail';

export interface ConsentState {
  granted: boolean;
  at: string;
  source: string;
  surface: string;
}

export interface Customer {
  customerNumber: string;
  registrationNo: string;
  registrationNoFormatted: string;
  status: CustomerStatus;
  mergedInto: string | null;
  rank: string;
  personal: Personal;
  identifiers: Identifier[];
  consent: { email: ConsentState | null; postalMail: ConsentState | null };
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntry {
  id: number | string;
  at: string;
  actor: { type: string; id: string | null; label: string | null };
  surface: string;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
}

export interface FieldProblem {
  field: string;
  message: string;
}
