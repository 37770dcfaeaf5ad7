import { useResource, type Resource } from '../../hooks';
import { adminApi, type Organisation } from '../../admin-api';
import type { StaffRole } from '../../types';

export const ROLE_LABELS: Record<StaffRole, string> = {
  admin: 'Administrator',
  sales: 'Sales (read-only)',
  store: 'Store staff',
  facility: 'Facility staff',
  partner: 'Partner',
};

export const ROLE_HINTS: Record<StaffRole, string> = {
  admin: 'Changes customers and manages staff, keys and organisations.',
  sales: 'Reads customers and registrations; changes nothing.',
  store: 'Looks up customers at one store’s counter and manages its terminal keys.',
  facility: 'Looks up customers at one facility.',
  partner: 'Logs in on the partner surface and reads only the fields granted to the partner.',
};

export interface Organisations {
  stores: Organisation[];
  facilities: Organisation[];
  partners: Organisation[];
}

/** Stores, facilities and partners, for pickers and for showing names instead of numbers. Admins only. */
export function useOrganisations(enabled = true): Resource<Organisations> {
  return useResource(`organisations:${enabled}`, async (signal) => {
    if (!enabled) return { stores: [], facilities: [], partners: [] };
    const [stores, facilities, partners] = await Promise.all([
      adminApi.organisations('stores', signal),
      adminApi.organisations('facilities', signal),
      adminApi.organisations('partners', signal),
    ]);
    return { stores: stores.items, facilities: facilities.items, partners: partners.items };
  });
}

/** `Shibuya (shibuya)`, or `#3` while the list is loading or the organisation is unknown. */
export function OrgName({ list, id }: { list: Organisation[] | undefined; id: number }) {
  const org = list?.find((o) => o.id === id);
  return org ? (
    <span>
      {org.name} <span className="muted mono">{org.code}</span>
    </span>
  ) : (
    <span className="mono">#{id}</span>
  );
}

/** The message under a form field, tied to its input with aria-describedby `${id}-error`. */
export function FieldError({ id, field, message }: { id: string; field: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={`${id}-error`} className="field-error" data-testid={`field-error-${field}`}>
      {message}
    </p>
  );
}

/** Props that mark an input invalid and point it at its FieldError. */
export const invalidProps = (id: string, message: string | undefined) =>
  message ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
