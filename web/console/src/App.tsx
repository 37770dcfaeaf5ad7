import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, ApiError, isAbort, onUnauthorized, setCsrfToken } from './api';
import { ErrorMessage, Spinner, ToastProvider } from './components/ui';
import { CustomerPage } from './pages/CustomerPage';
import { LoginPage } from './pages/LoginPage';
import { NewCustomerPage } from './pages/NewCustomerPage';
import { SearchPage } from './pages/SearchPage';
import { CounterLookupPage } from './pages/CounterLookupPage';
import { isMessagingPath, MessagingSection } from './pages/messaging/MessagingSection';
import { AppliancesSection, isAppliancesPath } from './pages/appliances/AppliancesSection';
import { canUseAppliances } from './appliances-api';
import { canUseMessaging } from './messaging-api';
import { isRegistrationsPath, RegistrationsSection } from './pages/registrations/RegistrationsSection';
import { AdminSection, isAdminPath } from './pages/admin/AdminSection';
import { canAdminister, canManageKeys, canSeeRegistrations } from './admin-api';
import { Link, matchRoute, navigate, safeNext, useLocation, type Route } from './router';
import { canWrite, SessionContext, useSession, type SessionContextValue } from './session';
import type { Session, Staff } from './types';

type Auth =
  | { status: 'checking' }
  | { status: 'error'; error: unknown }
  | { status: 'anonymous'; expired: boolean }
  | { status: 'in'; staff: Staff };

const ROLE_LABELS: Record<string, string> = {
  admin: 'Administrator',
  sales: 'Sales (read-only)',
  store: 'Store',
  facility: 'Facility',
  partner: 'Partner',
};

export function App() {
  const location = useLocation();
  const route = matchRoute(location.pathname);
  const [auth, setAuth] = useState<Auth>({ status: 'checking' });
  const [checks, setChecks] = useState(0);

  // Is there a session already (the cookie survives reloads)?
  useEffect(() => {
    const ctrl = new AbortController();
    api.me(ctrl.signal).then(
      (session) => {
        setCsrfToken(session.csrfToken);
        setAuth({ status: 'in', staff: session.staff });
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        if (err instanceof ApiError && err.status === 401) setAuth({ status: 'anonymous', expired: false });
        else setAuth({ status: 'error', error: err });
      },
    );
    return () => ctrl.abort();
  }, [checks]);

  // Any 401 later on means the session ended: back to the login page.
  useEffect(() => {
    onUnauthorized(() => {
      setCsrfToken(null);
      setAuth({ status: 'anonymous', expired: true });
    });
    return () => onUnauthorized(null);
  }, []);

  useEffect(() => {
    if (auth.status === 'anonymous' && route.name !== 'login') {
      const here = location.href === '/' ? '' : `?next=${encodeURIComponent(location.href)}`;
      navigate(`/login${here}`, { replace: true });
    } else if (auth.status === 'in' && route.name === 'login') {
      navigate(safeNext(location.search.get('next')), { replace: true });
    }
  }, [auth.status, route.name, location.href, location.search]);

  const onLoggedIn = useCallback(
    (session: Session) => {
      setCsrfToken(session.csrfToken);
      setAuth({ status: 'in', staff: session.staff });
      navigate(safeNext(new URLSearchParams(window.location.search).get('next')), { replace: true });
    },
    [],
  );

  const session = useMemo<SessionContextValue | null>(() => {
    if (auth.status !== 'in') return null;
    return {
      staff: auth.staff,
      canWrite: canWrite(auth.staff),
      logout: async () => {
        try {
          await api.logout();
        } catch {
          // The session may already be gone; either way we are logged out here.
        }
        setCsrfToken(null);
        setAuth({ status: 'anonymous', expired: false });
        navigate('/login');
      },
    };
  }, [auth]);

  let content;
  if (auth.status === 'checking') {
    content = (
      <main id="main" className="page page-center">
        <Spinner label="Starting…" />
      </main>
    );
  } else if (auth.status === 'error') {
    content = (
      <main id="main" className="page page-center">
        <ErrorMessage error={auth.error} onRetry={() => setChecks((n) => n + 1)} />
      </main>
    );
  } else if (auth.status === 'anonymous') {
    content = route.name === 'login' ? <LoginPage onLoggedIn={onLoggedIn} expired={auth.expired} /> : null;
  } else if (session && route.name !== 'login') {
    content = (
      <SessionContext.Provider value={session}>
        <Header />
        {isMessagingPath(location.pathname) ? (
          <MessagingSection pathname={location.pathname} />
        ) : isRegistrationsPath(location.pathname) ? (
          <RegistrationsSection pathname={location.pathname} />
        ) : isAdminPath(location.pathname) ? (
          <AdminSection pathname={location.pathname} />
        ) : isAppliancesPath(location.pathname) ? (
          <AppliancesSection pathname={location.pathname} />
        ) : (
          <Page route={route} />
        )}
      </SessionContext.Provider>
    );
  } else {
    content = null;
  }

  return (
    <ToastProvider>
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      {content}
    </ToastProvider>
  );
}

function Page({ route }: { route: Route }) {
  const { staff } = useSession();
  switch (route.name) {
    case 'search':
      return staff.role === 'store' || staff.role === 'facility' ? <CounterLookupPage /> : <SearchPage />;
    case 'newCustomer':
      return <NewCustomerPage />;
    case 'customer':
      return <CustomerPage key={route.customerNumber} customerNumber={route.customerNumber} />;
    default:
      return (
        <main id="main" className="page">
          <div className="empty-state">
            <h1>Page not found</h1>
            <p>
              <Link to="/customers">Go to customer search</Link>
            </p>
          </div>
        </main>
      );
  }
}

function Header() {
  const { staff, canWrite: mayWrite, logout } = useSession();
  const [busy, setBusy] = useState(false);
  const { pathname } = useLocation();
  const onSearch = pathname === '/' || pathname === '/customers';
  return (
    <header className="app-header">
      <div className="app-header-inner">
        <Link to="/customers" className="brand" aria-label="Clientele: customer search">
          <span className="brand-mark" aria-hidden="true">
            C
          </span>
          <span className="brand-name">Clientele</span>
        </Link>
        <nav className="app-nav" aria-label="Main">
          <Link to="/customers" aria-current={onSearch ? 'page' : undefined}>
            Customers
          </Link>
          {mayWrite && (
            <Link to="/customers/new" aria-current={pathname === '/customers/new' ? 'page' : undefined}>
              New customer
            </Link>
          )}
          {canSeeRegistrations(staff) && (
            <Link to="/registrations" aria-current={pathname.startsWith('/registrations') ? 'page' : undefined}>
              Registrations
            </Link>
          )}
          {canAdminister(staff) ? (
            <Link to="/admin/staff" aria-current={pathname === '/admin' || pathname.startsWith('/admin/') ? 'page' : undefined}>
              Admin
            </Link>
          ) : (
            canManageKeys(staff) && (
              <Link to="/admin/keys" aria-current={pathname.startsWith('/admin/keys') ? 'page' : undefined}>
                API keys
              </Link>
            )
          )}
          {canUseMessaging(staff) && (
            <Link to="/messaging" aria-current={pathname === '/messaging' || pathname.startsWith('/messaging/') ? 'page' : undefined}>
              Messaging
            </Link>
          )}
          {canUseAppliances(staff) && (
            <Link to="/appliances" aria-current={pathname === '/appliances' || pathname.startsWith('/appliances/') ? 'page' : undefined}>
              Appliances
            </Link>
          )}
        </nav>
        <div className="app-user" data-testid="current-staff">
          <span className="app-user-name">{staff.displayName}</span>
          <span className={`role role-${staff.role}`} title={ROLE_LABELS[staff.role] ?? staff.role}>
            {staff.role}
          </span>
          <button
            type="button"
            className="btn btn-small btn-quiet"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              await logout();
            }}
          >
            Log out
          </button>
        </div>
      </div>
    </header>
  );
}
