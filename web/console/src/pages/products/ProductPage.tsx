import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { customerPath, Link } from '../../router';
import { ErrorMessage, Spinner } from '../../components/ui';
import { CATEGORY_LABELS, productsApi } from '../../products-api';
import { ProductTable } from './RegistrationsPage';

/** One registered product: what it is, who owns it, the PC it was found on, what was found on it. */
export function ProductPage({ id }: { id: string }) {
  const product = useResource(`product:${id}`, (signal) => productsApi.get(id, signal));
  const parentSerial = product.data?.parentSerial ?? null;
  const parent = useResource(`parent:${parentSerial ?? ''}`, async (signal) =>
    parentSerial ? ((await productsApi.list({ serial: parentSerial }, signal)).items.find((p) => p.serial === parentSerial) ?? null) : null,
  );
  useDocumentTitle(product.data ? `${product.data.maker} ${product.data.model}` : 'Product');

  if (product.error) {
    return (
      <main id="main" className="page">
        <ErrorMessage error={product.error} onRetry={product.reload} />
      </main>
    );
  }
  if (!product.data) {
    return (
      <main id="main" className="page">
        <Spinner />
      </main>
    );
  }
  const p = product.data;
  return (
    <main id="main" className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/registrations">Registrations</Link> › <span className="mono">{p.serial}</span>
      </nav>
      <div className="page-head">
        <h1>
          {p.maker} {p.model}
        </h1>
      </div>
      <section className="card">
        <dl className="kv">
          <div className="kv-row">
            <dt>Serial</dt>
            <dd className="mono">{p.serial}</dd>
          </div>
          <div className="kv-row">
            <dt>Category</dt>
            <dd>{CATEGORY_LABELS[p.category] ?? p.category}</dd>
          </div>
          <div className="kv-row">
            <dt>Owner</dt>
            <dd>
              <Link to={customerPath(p.customerNumber)} data-testid="owner-link">
                Customer {p.customerNumber}
              </Link>
            </dd>
          </div>
          <div className="kv-row">
            <dt>Registered</dt>
            <dd>
              {formatDateTime(p.registeredAt)} (through the {p.source})
            </dd>
          </div>
          {p.parentSerial && (
            <div className="kv-row">
              <dt>Found on</dt>
              <dd>
                {parent.data ? (
                  <Link to={`/registrations/${parent.data.id}`} className="mono" data-testid="parent-link">
                    {p.parentSerial}
                  </Link>
                ) : (
                  <span className="mono">{p.parentSerial}</span>
                )}
              </dd>
            </div>
          )}
          {Object.entries(p.details).map(([k, v]) => (
            <div className="kv-row" key={k}>
              <dt>{k}</dt>
              <dd className="mono">{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card" aria-labelledby="peripherals-title">
        <h2 id="peripherals-title">Registered with it</h2>
        {p.peripherals.length === 0 ? <p className="muted">No peripherals were registered with this product.</p> : <ProductTable items={p.peripherals} showOwner={false} />}
      </section>
    </main>
  );
}
