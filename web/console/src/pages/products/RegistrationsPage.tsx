import { useEffect, useState } from 'react';
import { isAbort } from '../../api';
import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { customerPath, Link, navigate, useLocation } from '../../router';
import { useSession } from '../../session';
import { ErrorMessage, Spinner } from '../../components/ui';
import { CATEGORIES, CATEGORY_LABELS, productsApi, type Product, type RegistrationFilter } from '../../products-api';
import { CategoryChart } from '../../components/products/CategoryChart';
import { ShippedImport } from '../../components/products/ShippedImport';

const FILTER_KEYS = ['category', 'model', 'from', 'to', 'serial'] as const;

/** Registered products: counts per category, filters bound to the URL, newest first with "Load more". */
export function RegistrationsPage() {
  useDocumentTitle('Registrations');
  const { staff } = useSession();
  const location = useLocation();
  const filter: RegistrationFilter = {};
  for (const k of FILTER_KEYS) {
    const v = location.search.get(k);
    if (v) filter[k] = v;
  }
  const filterKey = JSON.stringify(filter);
  const summary = useResource('summary', (signal) => productsApi.summary(signal));
  const [items, setItems] = useState<Product[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [draft, setDraft] = useState<RegistrationFilter>(filter);

  useEffect(() => setDraft(JSON.parse(filterKey) as RegistrationFilter), [filterKey]);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    productsApi.list(JSON.parse(filterKey) as RegistrationFilter, ctrl.signal).then(
      (res) => {
        setItems(res.items);
        setMore(res.items.length === 50);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [filterKey]);

  const loadMore = async () => {
    if (!items?.length) return;
    setLoading(true);
    try {
      const res = await productsApi.list({ ...filter, before: items[items.length - 1]!.id });
      setItems([...items, ...res.items]);
      setMore(res.items.length === 50);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };

  const apply = (next: RegistrationFilter) => {
    const qs = new URLSearchParams();
    for (const k of FILTER_KEYS) if (next[k]) qs.set(k, String(next[k]));
    navigate(`/registrations${qs.size ? `?${qs}` : ''}`);
  };

  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>Registered products</h1>
      </div>
      <div className="prod-top">
        <section className="card" aria-labelledby="by-category">
          <h2 id="by-category">By category</h2>
          {summary.error ? <ErrorMessage error={summary.error} onRetry={summary.reload} /> : null}
          {summary.data ? (
            <CategoryChart
              counts={summary.data.categories}
              onPick={(category) => apply({ ...filter, category })}
              active={filter.category}
            />
          ) : (
            !summary.error && <Spinner />
          )}
        </section>
        {staff.role === 'admin' && summary.data && <ShippedImport shipped={summary.data.shipped} onImported={summary.reload} />}
      </div>

      <form
        className="prod-filters card"
        role="search"
        aria-label="Filter registrations"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <label className="field">
          <span>Category</span>
          <select aria-label="Category" value={draft.category ?? ''} onChange={(e) => setDraft({ ...draft, category: e.target.value || undefined })}>
            <option value="">All</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {CATEGORY_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Model</span>
          <input value={draft.model ?? ''} onChange={(e) => setDraft({ ...draft, model: e.target.value || undefined })} />
        </label>
        <label className="field">
          <span>From</span>
          <input type="date" value={draft.from ?? ''} onChange={(e) => setDraft({ ...draft, from: e.target.value || undefined })} />
        </label>
        <label className="field">
          <span>To</span>
          <input type="date" value={draft.to ?? ''} onChange={(e) => setDraft({ ...draft, to: e.target.value || undefined })} />
        </label>
        <label className="field">
          <span>Serial starts with</span>
          <input value={draft.serial ?? ''} onChange={(e) => setDraft({ ...draft, serial: e.target.value || undefined })} />
        </label>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary">
            Filter
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => apply({})}>
            Clear
          </button>
        </div>
      </form>

      {error ? <ErrorMessage error={error} onRetry={() => apply(filter)} /> : null}
      {items === null ? (
        !error && <Spinner />
      ) : items.length === 0 ? (
        <div className="empty-state">
          <p>No registered products match.</p>
        </div>
      ) : (
        <ProductTable items={items} />
      )}
      {more && (
        <p>
          <button type="button" className="btn" onClick={loadMore} disabled={loading}>
            {loading ? 'Loading…' : 'Load more'}
          </button>
        </p>
      )}
    </main>
  );
}

export function ProductTable({ items, showOwner = true }: { items: Product[]; showOwner?: boolean }) {
  return (
    <div className="wrap">
      <table className="table prod-table" data-testid="products">
        <thead>
          <tr>
            <th scope="col">Serial</th>
            <th scope="col">Category</th>
            <th scope="col">Maker / model</th>
            <th scope="col">Found on</th>
            {showOwner && <th scope="col">Owner</th>}
            <th scope="col">Registered</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id}>
              <td data-label="Serial">
                <Link to={`/registrations/${p.id}`} className="mono">
                  {p.serial}
                </Link>
              </td>
              <td data-label="Category">{CATEGORY_LABELS[p.category] ?? p.category}</td>
              <td data-label="Maker / model">
                {p.maker} {p.model}
              </td>
              <td data-label="Found on" className="mono">
                {p.parentSerial ?? '—'}
              </td>
              {showOwner && (
                <td data-label="Owner">
                  <Link to={customerPath(p.customerNumber)}>{p.customerNumber}</Link>
                </td>
              )}
              <td data-label="Registered">{formatDateTime(p.registeredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
