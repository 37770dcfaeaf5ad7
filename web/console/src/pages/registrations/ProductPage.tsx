import { ApiError } from '../../api';
import { formatDateTime, formatValue } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { customerPath, Link } from '../../router';
import { adminApi, categoryLabel, findBySerial, productPath, type ProductWithPeripherals } from '../../admin-api';
import { ProductTable, sourceLabel } from '../../components/registrations/ProductTable';
import { ErrorMessage, Spinner, useFocusOnMount } from '../../components/ui';

const ACRONYMS: Record<string, string> = { os: 'OS', cpu: 'CPU', gpu: 'GPU', gb: 'GB', mb: 'MB', id: 'ID', usb: 'USB', ip: 'IP', mac: 'MAC', url: 'URL' };

/** `modelCode` or `model_code` → `Model code`, `memoryGb` → `Memory GB`. */
function labelOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => ACRONYMS[w.toLowerCase()] ?? w.toLowerCase());
  const first = words[0];
  if (!first) return key;
  words[0] = first === first.toUpperCase() ? first : first[0]!.toUpperCase() + first.slice(1);
  return words.join(' ');
}

function Breadcrumb({ serial }: { serial?: string }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to="/registrations">Registrations</Link>
      <span aria-hidden="true"> / </span>
      <span aria-current="page" className="mono">
        {serial ?? '…'}
      </span>
    </nav>
  );
}

/** One registered product: what it is, who owns it, the PC it was found on, and what was found on it. */
export function ProductPage({ id }: { id: number }) {
  const product = useResource(`product:${id}`, (signal) => adminApi.registration(id, signal));
  const p = product.data;
  useDocumentTitle(p ? `${p.maker} ${p.model} ${p.serial}` : 'Product');

  if (!p) {
    const missing = product.error instanceof ApiError && product.error.status === 404;
    return (
      <main id="main" className="page">
        <Breadcrumb />
        {product.loading && <Spinner label="Loading product…" />}
        {missing ? (
          <div className="empty-state" role="alert">
            <h1>Product not found</h1>
            <p>
              No registered product has the number {id}. <Link to="/registrations">Back to registrations</Link>
            </p>
          </div>
        ) : (
          product.error !== null && <ErrorMessage error={product.error} onRetry={product.reload} />
        )}
      </main>
    );
  }
  return <ProductView product={p} />;
}

function ProductView({ product: p }: { product: ProductWithPeripherals }) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const parent = useResource(`parent:${p.parentSerial ?? ''}`, (signal) =>
    p.parentSerial ? findBySerial(p.parentSerial, signal) : Promise.resolve(null),
  );
  const details = Object.entries(p.details ?? {});

  return (
    <main id="main" className="page" data-testid="product-page">
      <Breadcrumb serial={p.serial} />
      <header className="reg-product-head">
        <p className="reg-eyebrow">
          <span className={`reg-cat reg-cat-${p.category}`}>{categoryLabel(p.category)}</span>
        </p>
        <h1 ref={heading} tabIndex={-1}>
          {p.maker} {p.model}
        </h1>
        <p className="mono muted reg-serial">{p.serial}</p>
      </header>

      <div className="reg-product-grid">
        <section className="card" aria-labelledby="product-facts">
          <div className="card-head">
            <h2 id="product-facts">Registration</h2>
          </div>
          <dl className="kv reg-kv" data-testid="product-facts">
            <div className="kv-row">
              <dt>Maker</dt>
              <dd>{p.maker}</dd>
            </div>
            <div className="kv-row">
              <dt>Model</dt>
              <dd>{p.model}</dd>
            </div>
            <div className="kv-row">
              <dt>Serial</dt>
              <dd className="mono">{p.serial}</dd>
            </div>
            <div className="kv-row">
              <dt>Category</dt>
              <dd>{categoryLabel(p.category)}</dd>
            </div>
            <div className="kv-row">
              <dt>Registered</dt>
              <dd>
                <time dateTime={p.registeredAt}>{formatDateTime(p.registeredAt)}</time>
              </dd>
            </div>
            <div className="kv-row">
              <dt>Source</dt>
              <dd>{sourceLabel(p.source)}</dd>
            </div>
            <div className="kv-row">
              <dt>Owner</dt>
              <dd>
                <Link to={customerPath(p.customerNumber)} className="mono" data-testid="owner-link">
                  Customer {p.customerNumber}
                </Link>
              </dd>
            </div>
            {p.parentSerial && (
              <div className="kv-row">
                <dt>Found on</dt>
                <dd>
                  {parent.data ? (
                    <>
                      <Link to={productPath(parent.data.id)} className="mono" data-testid="parent-link">
                        {parent.data.serial}
                      </Link>{' '}
                      <span className="muted">
                        ({parent.data.maker} {parent.data.model})
                      </span>
                    </>
                  ) : (
                    <>
                      <span className="mono">{p.parentSerial}</span>{' '}
                      {parent.loading ? (
                        <Spinner inline label="Looking it up…" />
                      ) : parent.error !== null ? (
                        <button type="button" className="btn btn-small btn-quiet" onClick={parent.reload}>
                          Find it again
                        </button>
                      ) : (
                        <span className="muted">(not registered)</span>
                      )}
                    </>
                  )}
                </dd>
              </div>
            )}
          </dl>
        </section>

        <section className="card" aria-labelledby="product-details">
          <div className="card-head">
            <h2 id="product-details">Details</h2>
            <span className="count">{details.length}</span>
          </div>
          {details.length === 0 ? (
            <p className="muted">No further details were sent with this product.</p>
          ) : (
            <dl className="kv reg-kv reg-kv-single" data-testid="product-details">
              {details.map(([key, value]) => (
                <div key={key} className="kv-row">
                  <dt title={key}>{labelOf(key)}</dt>
                  <dd className="wrap">
                    {value !== null && typeof value === 'object' && !Array.isArray(value) ? (
                      <code>{JSON.stringify(value)}</code>
                    ) : (
                      formatValue(value)
                    )}
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </section>
      </div>

      {(p.category === 'pc' || p.peripherals.length > 0) && (
        <section className="card reg-peripherals" aria-labelledby="product-peripherals">
          <div className="card-head">
            <h2 id="product-peripherals">Found on this product</h2>
            <span className="count">{p.peripherals.length}</span>
          </div>
          {p.peripherals.length === 0 ? (
            <p className="muted">No peripherals were registered with this PC.</p>
          ) : (
            <ProductTable
              items={p.peripherals}
              showOwner={p.peripherals.some((x) => x.customerNumber !== p.customerNumber)}
              showParent={false}
              caption="Peripherals found on this product"
              testId="peripherals"
            />
          )}
        </section>
      )}
    </main>
  );
}
