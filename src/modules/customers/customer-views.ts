import type { Principal } from '../../platform/auth/principal.js';
import { formatRegistrationNo } from './registration-number.js';
import { personalOf, PERSONAL_FIELDS, type Personal } from './personal-info.js';
import type { CustomerRow, CustomerSummaryRow, IdentifierRow } from './customers.repository.js';

export interface ConsentState {
  granted: boolean;
  at: string;
  source: string;
  surface: string;
}

export interface CustomerView {
  customerNumber: string;
  registrationNo: string;
  registrationNoFormatted: string;
  status: string;
  mergedInto: string | null;
  rank: string;
  hasPortalPassword: boolean;
  personal: Personal;
  identifiers: { id: number; kind: string; value: string; source: string; createdAt: string }[];
  consent: { email: ConsentState | null; postalMail: ConsentState | null };
  createdAt: string;
  updatedAt: string;
  erasedAt: string | null;
}

export interface CustomerSummary {
  customerNumber: string;
  registrationNo: string;
  registrationNoFormatted: string;
  name: string | null;
  nameReading: string | null;
  email: string | null;
  phone: string | null;
  status: string;
  matchedOn?: string;
}

export interface ConsentRow {
  channel: string;
  granted: boolean;
  at: Date;
  source: string;
  surface: string;
}

/** A registration number a customer holds (its own, or a merged record's), listed among its identifiers. */
export interface HeldRegistrationNo {
  id: number;
  registration_no: string;
  created_at: Date;
}

/**
 * Registration numbers are not rows of customer_identifiers (customers.registration_no holds
 * them); they are listed first, with the negated customer number of their record as id (no
 * identifier row has it, and they cannot be removed).
 */
function registrationIdentifiers(held: HeldRegistrationNo[]): IdentifierRow[] {
  return held.map((h) => ({
    id: -h.id,
    customer_id: h.id,
    kind: 'registration_no',
    value: h.registration_no,
    source: 'issued',
    created_at: new Date(h.created_at),
  }));
}

export function customerView(
  row: CustomerRow,
  identifierRows: IdentifierRow[],
  consents: ConsentRow[],
  held: HeldRegistrationNo[] = [],
): CustomerView {
  const identifiers = [...registrationIdentifiers(held), ...identifierRows];
  const consent = (channel: string): ConsentState | null => {
    const c = consents.find((x) => x.channel === channel);
    return c ? { granted: c.granted, at: new Date(c.at).toISOString(), source: c.source, surface: c.surface } : null;
  };
  return {
    customerNumber: String(row.id),
    registrationNo: row.registration_no,
    registrationNoFormatted: formatRegistrationNo(row.registration_no),
    status: row.status,
    mergedInto: row.merged_into === null ? null : String(row.merged_into),
    rank: row.rank,
    hasPortalPassword: row.portal_password_hash !== null,
    personal: personalOf(row),
    identifiers: identifiers.map((i) => ({
      id: i.id,
      kind: i.kind,
      value: i.value,
      source: i.source,
      createdAt: i.created_at.toISOString(),
    })),
    consent: { email: consent('email'), postalMail: consent('postal_mail') },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    erasedAt: row.erased_at?.toISOString() ?? null,
  };
}

export function summaryView(row: CustomerSummaryRow, matchedOn?: string): CustomerSummary {
  return {
    customerNumber: String(row.id),
    registrationNo: row.registration_no,
    registrationNoFormatted: formatRegistrationNo(row.registration_no),
    name: row.name,
    nameReading: row.name_reading,
    email: row.email,
    phone: row.phone,
    status: row.status,
    ...(matchedOn ? { matchedOn } : {}),
  };
}

/** What store and facility staff see of a customer: enough to serve them at the counter. */
export interface CounterView {
  customerNumber: string;
  registrationNoFormatted: string;
  name: string | null;
  nameReading: string | null;
  nickname: string | null;
  rank: string;
  status: string;
}

export function counterView(view: CustomerView): CounterView {
  return {
    customerNumber: view.customerNumber,
    registrationNoFormatted: view.registrationNoFormatted,
    name: view.personal.name,
    nameReading: view.personal.nameReading,
    nickname: view.personal.nickname,
    rank: view.rank,
    status: view.status,
  };
}

/** Partner companies read only the fields granted to them. */
export function partnerView(view: CustomerView, granted: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { customerNumber: view.customerNumber };
  for (const field of granted) {
    if (field in view.personal) out[field] = view.personal[field as keyof Personal];
    else if (field === 'rank') out.rank = view.rank;
    else if (field === 'registrationNo') out.registrationNo = view.registrationNo;
  }
  return out;
}

export const PARTNER_GRANTABLE_FIELDS = ['registrationNo', 'rank', ...PERSONAL_FIELDS] as const;

export function isStaff(p: Principal | null, ...roles: string[]): boolean {
  return p?.type === 'staff' && roles.includes(p.role);
}
