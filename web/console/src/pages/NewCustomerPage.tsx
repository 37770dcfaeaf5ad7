import { api } from '../api';
import { useDocumentTitle } from '../hooks';
import { customerPath, Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { PERSONAL_FIELDS, type Personal } from '../types';
import { PersonalForm } from '../components/PersonalForm';
import { useToast } from '../components/ui';

export function NewCustomerPage() {
  useDocumentTitle('New customer');
  const { canWrite } = useSession();
  const toast = useToast();
  const { search } = useLocation();
  const prefill = search.get('name');
  const initialValues: Personal | undefined = prefill
    ? { ...(Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, null])) as Personal), name: prefill }
    : undefined;

  const create = async (personal: Partial<Personal>) => {
    const created = await api.createCustomer(personal);
    toast(`Customer ${created.customerNumber} created`);
    navigate(customerPath(created.customerNumber));
  };

  return (
    <main id="main" className="page page-narrow">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/customers">Customers</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">New</span>
      </nav>
      <h1>New customer</h1>
      {canWrite ? (
        <section className="card">
          <PersonalForm
            key={prefill ?? ''}
            defaults={initialValues}
            submitLabel="Create customer"
            onSubmit={create}
            onCancel={() => navigate('/customers')}
          />
        </section>
      ) : (
        <div className="alert alert-info">Your role can look customers up but not create them.</div>
      )}
    </main>
  );
}
