import '../../registrations.css';
import { useId } from 'react';
import { useResource } from '../../hooks';
import { useSession } from '../../session';
import { adminApi, canSeeRegistrations } from '../../admin-api';
import { ErrorMessage, Spinner } from '../ui';
import { ProductTable } from './ProductTable';

/** The products a customer registered, on the customer page. Renders nothing for roles that cannot see registrations. */
export function CustomerProducts({ customerNumber }: { customerNumber: string }) {
  const { staff } = useSession();
  return canSeeRegistrations(staff) ? <ProductsCard customerNumber={customerNumber} /> : null;
}

function ProductsCard({ customerNumber }: { customerNumber: string }) {
  const products = useResource(`customer-products:${customerNumber}`, (signal) => adminApi.customerProducts(customerNumber, signal));
  const id = useId();
  const items = products.data?.items;
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="customer-products">
      <div className="card-head">
        <h2 id={`${id}-title`}>Registered products</h2>
        {items && <span className="count">{items.length}</span>}
        {products.loading && items && <Spinner inline label="Refreshing…" />}
      </div>
      {products.error !== null && <ErrorMessage error={products.error} onRetry={products.reload} />}
      {!items ? (
        products.loading && <Spinner label="Loading products…" />
      ) : items.length === 0 ? (
        <p className="muted">No registered products</p>
      ) : (
        <ProductTable items={items} showOwner={false} caption="Products registered by this customer" />
      )}
    </section>
  );
}
