import { useEffect, useRef, useState } from 'react';
import { ApiError, isAbort } from '../../api';
import { useDocumentTitle, useResource } from '../../hooks';
import { navigate, useLocation } from '../../router';
import { useSession } from '../../session';
import {
  adminApi,
  canImportShipped,
  categoryLabel,
  PAGE_SIZE,
  REGISTRATION_FILTERS,
  type Product,
  type RegistrationFilter,
} from '../../admin-api';
import { CategoryChart } from '../../components/registrations/CategoryChart';
import { ProductTable } from '../../components/registrations/ProductTable';
import { RegistrationFilters } from '../../components/registrations/RegistrationFilters';
import { ShippedImport } from '../../components/registrations/ShippedImport';
import { ErrorMessage, Spinner } from '../../components/ui';

interface List {
  key: string;
  items: Product[];
  /** The last page came back short: there is nothing older. */
  done: boolean;
}

function filterOf(search: URLSearchParams): RegistrationFilter {
  const f: RegistrationFilter = {};
  for (const k of REGISTRATION_FILTERS) {
    const v = search.get(k)?.trim();
    if (v) f[k] = v;
  }
  return f;
}

export function registrationsHref(filter: RegistrationFilter): string {
  const qs = new URLSearchParams();
  for (const k of REGISTRATION_FILTERS) if (filter[k]) qs.set(k, filter[k]!);
  const s = qs.toString();
  return s ? `/registrations?${s}` : '/registrations';
}

function describe(f: RegistrationFilter): string {
  const parts: string[] = [];
  if (f.category) parts.push(categoryLabel(f.category));
  if (f.model) parts.push(`model “${f.model}…”`);
  if (f.serial) parts.push(`serial “${f.serial}…”`);
  if (f.from && f.to) parts.push(`${f.from} to ${f.to}`);
  else if (f.from) parts.push(`from ${f.from}`);
  else if (f.to) parts.push(`until ${f.to}`);
  return parts.join(' · ');
}

/** Registered products: counts per category, the shipped list (admins), and a filtered list bound to the URL. */
export function RegistrationsPage() {
  useDocumentTitle('Registrations');
  const { staff } = useSession();
  const location = useLocation();
  const filter = filterOf(location.search);
  const filterKey = JSON.stringify(filter);

  const summary = useResource('registration-summary', (signal) => adminApi.registrationSummary(signal));

  const [list, setList] = useState<List | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [retries, setRetries] = useState(0);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  const moreCtrl = useRef<AbortController | null>(null);

  // The first page, again whenever the filter in the URL changes.
  useEffect(() => {
    const ctrl = new AbortController();
    moreCtrl.current?.abort();
    setLoading(true);
    setError(null);
    setMoreError(null);
    adminApi.registrations(JSON.parse(filterKey) as RegistrationFilter, { signal: ctrl.signal }).then(
      (res) => {
        setList({ key: filterKey, items: res.items, done: res.items.length < PAGE_SIZE });
        setLoading(false);
      },
      (err: unknown) => {
        if (isAbort(err) || ctrl.signal.aborted) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [filterKey, retries]);

  useEffect(() => () => moreCtrl.current?.abort(), []);

  const loadMore = async () => {
    const last = list?.items[list.items.length - 1];
    if (!list || !last || moreBusy) return;
    const ctrl = new AbortController();
    moreCtrl.current = ctrl;
    setMoreBusy(true);
    setMoreError(null);
    try {
      const res = await adminApi.registrations(filter, { before: last.id, signal: ctrl.signal });
      setList((l) =>
        l && l.key === list.key ? { key: l.key, items: [...l.items, ...res.items], done: res.items.length < PAGE_SIZE } : l,
      );
    } catch (err) {
      if (!isAbort(err)) setMoreError(err);
    } finally {
      if (!ctrl.signal.aborted) setMoreBusy(false);
    }
  };

  const apply = (next: RegistrationFilter) => navigate(registrationsHref(next));

  const current = list?.key === filterKey ? list : null;
  // While a new filter loads, the old rows stay (dimmed) so the page does not jump.
  const shown = current ?? (loading ? list : null);
  const described = describe(filter);
  const filtered = described !== '';
  // A 400 means the query in the address is wrong (typed by hand, say): trying again will not help.
  const badFilter =
    error instanceof ApiError && error.status === 400
      ? new Error(`This filter is not valid (${[...new Set(error.fields.map((f) => f.field))].join(', ') || 'query'}). Change it or clear it.`)
      : null;

  return (
    <main id="main" className="page" data-testid="registrations-page">
      <div className="page-head">
        <h1>Registrations</h1>
      </div>

      <div className={`reg-top${canImportShipped(staff) ? ' reg-top-split' : ''}`}>
        <section className="card" aria-labelledby="reg-chart-title">
          <div className="card-head">
            <h2 id="reg-chart-title">By category</h2>
            {summary.loading && summary.data && <Spinner inline label="Refreshing…" />}
          </div>
          {summary.error !== null && <ErrorMessage error={summary.error} onRetry={summary.reload} />}
          {summary.data ? (
            <CategoryChart counts={summary.data.categories} active={filter.category} onPick={(category) => apply({ ...filter, category })} />
          ) : (
            summary.loading && <Spinner label="Counting registrations…" />
          )}
        </section>
        {canImportShipped(staff) &&
          (summary.data ? (
            <ShippedImport shipped={summary.data.shipped} onImported={summary.reload} />
          ) : (
            <section className="card" aria-label="Shipped list">
              {summary.loading ? <Spinner /> : <p className="muted">The shipped list is not available.</p>}
            </section>
          ))}
      </div>

      <RegistrationFilters value={filter} onApply={apply} />

      <section className="reg-results" aria-labelledby="reg-results-title" aria-busy={loading}>
        <div className="reg-results-head">
          <h2 id="reg-results-title" className="results-title">
            {shown ? (
              <>
                {shown.items.length.toLocaleString()}
                {shown.done ? '' : '+'} product{shown.items.length === 1 ? '' : 's'}
                {filtered ? <span className="muted"> · {described}</span> : <span className="muted"> · newest first</span>}
              </>
            ) : (
              'Products'
            )}
          </h2>
          {loading && shown && <Spinner inline label="Loading…" />}
        </div>

        {error !== null && (
          <div className="reg-error">
            {badFilter ? (
              <ErrorMessage error={badFilter} />
            ) : (
              <ErrorMessage error={error} onRetry={() => setRetries((n) => n + 1)} />
            )}
            {filtered && (
              <button type="button" className="btn btn-small" onClick={() => apply({})}>
                Clear the filter
              </button>
            )}
          </div>
        )}

        {!shown ? (
          loading && <Spinner label="Loading registrations…" />
        ) : shown.items.length === 0 ? (
          error === null && (
            <div className="empty-state" data-testid="registrations-empty">
              {filtered ? (
                <>
                  <p>No registered products match this filter.</p>
                  <button type="button" className="btn" onClick={() => apply({})}>
                    Show all products
                  </button>
                </>
              ) : (
                <p>No products have been registered yet.</p>
              )}
            </div>
          )
        ) : (
          <div className={`card reg-table-card${current ? '' : ' reg-stale'}`}>
            <ProductTable items={shown.items} caption="Registered products" />
          </div>
        )}

        {current && current.items.length > 0 && (
          <div className="reg-more">
            {moreError !== null && <ErrorMessage error={moreError} onRetry={loadMore} />}
            {current.done ? (
              current.items.length >= PAGE_SIZE && <p className="muted">That’s all: {current.items.length.toLocaleString()} shown.</p>
            ) : (
              <button type="button" className="btn" onClick={loadMore} disabled={moreBusy} data-testid="load-more">
                {moreBusy ? 'Loading…' : `Load ${PAGE_SIZE} more`}
              </button>
            )}
          </div>
        )}
      </section>
    </main>
  );
}
