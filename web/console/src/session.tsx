import { createContext, useContext } from 'react';
import type { Staff } from './types';

export interface SessionContextValue {
  staff: Staff;
  /** Only admins may change customers; everyone else in the console reads. */
  canWrite: boolean;
  logout: () => Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a logged-in page');
  return value;
}

export const canWrite = (staff: Staff) => staff.role === 'admin';
