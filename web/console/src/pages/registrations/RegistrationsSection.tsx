import '../../registrations.css';
import { canSeeRegistrations } from '../../admin-api';
import { Link } from '../../router';
import { useSession } from '../../session';
import { ProductPage } from './ProductPage';
import { RegistrationsPage } from './RegistrationsPage';

/** Everything under /registrations belongs to this section. */
export function isRegistrationsPath(pathname: string): boolean {
  return pathname === '/registrations' || pathname.startsWith('/registrations/');
}

/** `/registrations` is the list, `/registrations/123` one product. */
export function RegistrationsSection({ pathname }: { pathname: string }) {
  const { staff } = useSession();
  const path = pathname.replace(/\/+$/, '');

  if (!canSeeRegistrations(staff)) {
    return (
      <main id="main" className="page page-narrow">
        <h1>Registrations</h1>
        <div className="alert alert-info" role="status">
          Registered products are for administrators and sales staff. Your role ({staff.role}) cannot see them.
        </div>
        <p>
          <Link to="/customers">Go to the customer page</Link>
        </p>
      </main>
    );
  }

  if (path === '/registrations') return <RegistrationsPage />;
  const id = /^\/registrations\/([1-9][0-9]{0,9})$/.exec(path)?.[1];
  if (id) return <ProductPage key={id} id={Number(id)} />;
  return (
    <main id="main" className="page">
      <div className="empty-state">
        <h1>Page not found</h1>
        <p>
          <Link to="/registrations">Go to registrations</Link>
        </p>
      </div>
    </main>
  );
}
