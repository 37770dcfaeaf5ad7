import type { SurfaceName } from '../../config.js';

export type StaffRole = 'admin' | 'sales' | 'store' | 'facility' | 'partner';
export type KeyKind = 'store_terminal' | 'reader' | 'device' | 'tracker' | 'partner';

/** Who is making a request, resolved once per request by the surface's authenticator. */
export type Principal =
  | {
      type: 'staff';
      staffId: number;
      username: string;
      displayName: string;
      role: StaffRole;
      storeId: number | null;
      facilityId: number | null;
      partnerId: number | null;
      csrfToken: string;
    }
  | { type: 'customer'; customerId: number; csrfToken: string }
  | {
      type: 'api_key';
      apiKeyId: number;
      keyId: string;
      kind: KeyKind;
      storeId: number | null;
      facilityId: number | null;
      partnerId: number | null;
    };

/**
 * Who may call a route: 'public', or a list of staff roles, 'customer', and `key:<kind>`.
 * Every /api route must declare one; the surface refuses to start otherwise.
 */
export type AccessRole = StaffRole | 'customer' | `key:${KeyKind}`;
export type AccessRule = 'public' | readonly AccessRole[];

/** The actor recorded in audit entries. */
export interface Actor {
  type: 'staff' | 'customer' | 'api_key' | 'system';
  id: string | null;
  label: string | null;
  surface: SurfaceName | 'cli' | 'system';
}

export function actorOf(principal: Principal | null, surface: SurfaceName): Actor {
  if (!principal) return { type: 'system', id: null, label: null, surface };
  switch (principal.type) {
    case 'staff':
      return { type: 'staff', id: String(principal.staffId), label: `${principal.displayName} (${principal.username})`, surface };
    case 'customer':
      return { type: 'customer', id: String(principal.customerId), label: 'the customer', surface };
    case 'api_key':
      return { type: 'api_key', id: principal.keyId, label: `${principal.kind} key ${principal.keyId}`, surface };
  }
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, label: 'system', surface: 'system' };
export const CLI_ACTOR: Actor = { type: 'system', id: null, label: 'command line', surface: 'cli' };

export function roleOf(principal: Principal): AccessRole {
  if (principal.type === 'staff') return principal.role;
  if (principal.type === 'customer') return 'customer';
  return `key:${principal.kind}`;
}
