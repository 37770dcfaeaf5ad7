import { useResource } from '../../hooks';
import { productsApi } from '../../products-api';
import { ErrorMessage, Spinner } from '../ui';
import { ProductTable } from '../../pages/products/RegistrationsPage';

/** The customer's registered products, on the customer page. */
export function CustomerProducts({ customerNumber }: { customerNumber: string }) {
  const products = useResource(`products:${customerNumber}`, (signal) => productsApi.ofCustomer(customerNumber, signal));
  return (
    <section className="card" aria-labelledby="products-title" data-testid="customer-products">
      <h2 id="products-title">Products</h2>
      {products.error ? <ErrorMessage error={products.error} onRetry={products.reload} /> : null}
      {!products.data ? (
        !products.error && <Spinner />
      ) : products.data.items.length === 0 ? (
        <p className="muted">No registered products.</p>
      ) : (
        <ProductTable items={products.data.items} showOwner={false} />
      )}
    </section>
  );
}
