import '../../registrations.css';
import { useEffect } from 'react';
import { canAdminister, canManageKeys } from '../../admin-api';
import { Link, navigate } from '../../router';
import { useSession } from '../../session';
import { Spinner } from '../../components/ui';
import { ApiKeysPage } from './ApiKeysPage';
import { OrganisationsPage } from './OrganisationsPage';
import { StaffPage } from './StaffPage';

type Tab = 'staff' | 'keys' | 'organisations';

const TABS: { tab: Tab; label: string; to: string }[] = [
  { tab: 'staff', label: 'Staff', to: '/admin/staff' },
  { tab: 'keys', label: 'API keys', to: '/admin/keys' },
  { tab: 'organisations', label: 'Organisations', to: '/admin/organisations' },
];

/** Everything under /admin belongs to this section. */
export function isAdminPath(pathname: string): boolean {
  return pathname === '/admin' || pathname.startsWith('/admin/');
}

/** The home of the Admin link: administrators start at staff, store staff at their keys. */
export const adminHome = (role: string) => (role === 'admin' ? '/admin/staff' : '/admin/keys');

/** Staff, API keys and organisations for administrators; store staff get their store's keys only. */
export function AdminSection({ pathname }: { pathname: string }) {
  const { staff } = useSession();
  const path = pathname.replace(/\/+$/, '');
  const tab = TABS.find((t) => t.to === path)?.tab ?? null;
  const isAdmin = canAdminister(staff);
  const allowed = tab !== null && (tab === 'keys' ? canManageKeys(staff) : isAdmin);
  const home = path === '/admin' && canManageKeys(staff);

  useEffect(() => {
    if (home) navigate(adminHome(staff.role), { replace: true });
  }, [home, staff.role]);

  if (home) {
    return (
      <main id="main" className="page">
        <Spinner />
      </main>
    );
  }

  if (!allowed) {
    return (
      <main id="main" className="page page-narrow">
        <h1>{tab ? TABS.find((t) => t.tab === tab)!.label : 'Administration'}</h1>
        <div className="alert alert-info" role="status">
          {tab === null && isAdmin ? 'There is no such administration page.' : `Your role (${staff.role}) cannot open this page.`}
        </div>
        <p>
          <Link to={isAdmin ? '/admin/staff' : '/customers'}>{isAdmin ? 'Go to staff accounts' : 'Go to the customer page'}</Link>
        </p>
      </main>
    );
  }

  return (
    <main id="main" className="page" data-testid="admin">
      {isAdmin && (
        <nav className="adm-tabs" aria-label="Administration">
          {TABS.map((t) => (
            <Link key={t.tab} to={t.to} className="adm-tab" aria-current={t.tab === tab ? 'page' : undefined}>
              {t.label}
            </Link>
          ))}
        </nav>
      )}
      {tab === 'staff' ? <StaffPage /> : tab === 'keys' ? <ApiKeysPage /> : <OrganisationsPage />}
    </main>
  );
}
