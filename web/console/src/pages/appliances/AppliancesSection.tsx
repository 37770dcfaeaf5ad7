import '../../appliances.css';
import { canUseAppliances } from '../../appliances-api';
import { Link } from '../../router';
import { useSession } from '../../session';
import { AnalysisPage } from './AnalysisPage';
import { BillingPage } from './BillingPage';
import { CatalogPage } from './CatalogPage';
import { CustomerPage } from './CustomerPage';
import { appliancePaths } from './paths';

type AppliancesRoute =
  | { name: 'analysis' }
  | { name: 'customer'; customerNumber: string | null; month: string | null }
  | { name: 'billing'; month: string | null; customerNumber: string | null }
  | { name: 'catalog' }
  | { name: 'notFound' };

/** Everything under /appliances belongs to this section. */
export function isAppliancesPath(pathname: string): boolean {
  return pathname === '/appliances' || pathname.startsWith('/appliances/');
}

const monthOrNull = (s: string | undefined) => (s && /^\d{4}-\d{2}$/.test(s) ? s : null);

function matchAppliancesRoute(pathname: string): AppliancesRoute {
  let parts: string[];
  try {
    parts = pathname.replace(/\/+$/, '').split('/').slice(2).map(decodeURIComponent); // after "", "appliances"
  } catch {
    return { name: 'notFound' };
  }
  const [section, a, b, ...rest] = parts;
  if (rest.length) return { name: 'notFound' };
  switch (section) {
    case undefined:
    case 'analysis':
      return a === undefined ? { name: 'analysis' } : { name: 'notFound' };
    case 'customers':
      return { name: 'customer', customerNumber: a ?? null, month: monthOrNull(b) };
    case 'billing':
      return { name: 'billing', month: monthOrNull(a), customerNumber: b ?? null };
    case 'catalog':
      return a === undefined ? { name: 'catalog' } : { name: 'notFound' };
    default:
      return { name: 'notFound' };
  }
}

const TABS: { name: AppliancesRoute['name']; label: string; to: string }[] = [
  { name: 'analysis', label: 'Analysis 分析', to: appliancePaths.analysis },
  { name: 'customer', label: 'Customers 顧客', to: appliancePaths.customer() },
  { name: 'billing', label: 'Billing 料金', to: appliancePaths.billing() },
  { name: 'catalog', label: 'Catalog 商品', to: appliancePaths.catalog },
];

/** The appliance screens (A-6 … A-9): usage analysis, a customer's usage and charges, billing, the catalog. */
export function AppliancesSection({ pathname }: { pathname: string }) {
  const { staff } = useSession();
  const route = matchAppliancesRoute(pathname);

  if (!canUseAppliances(staff)) {
    return (
      <main id="main" className="page page-narrow">
        <h1>Appliances</h1>
        <div className="alert alert-info">The appliance screens are for admin and sales staff. Your role ({staff.role}) cannot use them.</div>
      </main>
    );
  }
  const isAdmin = staff.role === 'admin';
  return (
    <main id="main" className="page appl" data-testid="appliances">
      <nav className="appl-tabs" aria-label="Appliances">
        {TABS.map((t) => (
          <Link key={t.name} to={t.to} className="appl-tab" aria-current={route.name === t.name ? 'page' : undefined}>
            {t.label}
          </Link>
        ))}
      </nav>
      {route.name === 'analysis' && <AnalysisPage />}
      {route.name === 'customer' && <CustomerPage key={route.customerNumber ?? ''} customerNumber={route.customerNumber} month={route.month} />}
      {route.name === 'billing' && <BillingPage month={route.month} customerNumber={route.customerNumber} isAdmin={isAdmin} />}
      {route.name === 'catalog' && <CatalogPage isAdmin={isAdmin} />}
      {route.name === 'notFound' && (
        <div className="empty-state">
          <h1>Page not found</h1>
          <p>
            <Link to={appliancePaths.analysis}>Go to the analysis</Link>
          </p>
        </div>
      )}
    </main>
  );
}
