import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api, isAbort } from '../api';
import { useDocumentTitle } from '../hooks';
import { customerPath, Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import type { CustomerSummary } from '../types';
import { ErrorMessage, Spinner, StatusBadge } from '../components/ui';

const DEBOUNCE_MS = 200;
const LIMIT = 20;

interface Results {
  q: string;
  items: CustomerSummary[];
}

export function SearchPage() {
  useDocumentTitle('Customers');
  const { canWrite } = useSession();
  const location = useLocation();
  const urlQuery = location.search.get('q') ?? '';
  const [query, setQuery] = useState(urlQuery);
  const [results, setResults] = useState<Results | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(-1);
  const [flush, setFlush] = useState(0);
  const lastWritten = useRef(urlQuery);
  const firstRun = useRef(true);
  const lastFlush = useRef(0);
  const tableRef = useRef<HTMLTableSectionElement>(null);

  const term = query.trim();

  // The URL changed under us (back button, header link): follow it.
  useEffect(() => {
    if (urlQuery !== lastWritten.current) {
      lastWritten.current = urlQuery;
      setQuery(urlQuery);
    }
  }, [urlQuery]);

  // Search as the person types: wait for a pause, and abort the request a newer one replaces.
  useEffect(() => {
    const ctrl = new AbortController();
    // The first search and an explicit one (Enter, Try again) run at once.
    const delay = firstRun.current || flush !== lastFlush.current ? 0 : DEBOUNCE_MS;
    firstRun.current = false;
    lastFlush.current = flush;
    const timer = window.setTimeout(() => {
      setLoading(true);
      if (term !== lastWritten.current) {
        lastWritten.current = term;
        navigate(term ? `${location.pathname}?q=${encodeURIComponent(term)}` : location.pathname, { replace: true });
      }
      api.searchCustomers(term, ctrl.signal, LIMIT).then(
        (res) => {
          setResults({ q: term, items: res.items });
          setActive(-1);
          setError(null);
          setLoading(false);
        },
        (err: unknown) => {
          if (isAbort(err) || ctrl.signal.aborted) return;
          setError(err);
          setLoading(false);
        },
      );
    }, delay);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
    // location.pathname is read only to rewrite the query string, so it is not a dependency.
  }, [term, flush]);

  const items = results?.items ?? [];

  useEffect(() => {
    if (active < 0) return;
    tableRef.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);

  const open = (c: CustomerSummary) => navigate(customerPath(c.customerNumber));

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (items.length) setActive((i) => Math.min(i + 1, items.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((i) => Math.max(i - 1, -1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const chosen = items[active];
      if (chosen) open(chosen);
      else if (items.length === 1 && results?.q === term && items[0]) open(items[0]);
      else setFlush((n) => n + 1);
    } else if (e.key === 'Escape') {
      if (active >= 0) setActive(-1);
      else setQuery('');
    }
  };

  const chosen = items[active];
  const newCustomerHref =
    term && !/[0-9@]/.test(term) ? `/customers/new?name=${encodeURIComponent(term)}` : '/customers/new';

  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>Customers</h1>
        {canWrite && (
          <Link to="/customers/new" className="btn btn-primary" data-testid="new-customer">
            New customer
          </Link>
        )}
      </div>

      <div className="search-box" role="search">
        <label htmlFor="customer-search" className="search-label">
          Search
        </label>
        <div className="search-input-wrap">
          <input
            id="customer-search"
            type="search"
            className="search-input"
            placeholder="Name, reading, number, e-mail or phone"
            autoComplete="off"
            spellCheck={false}
            autoFocus
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={onKeyDown}
            aria-controls="search-results"
            aria-describedby="search-hint"
            data-testid="search-input"
          />
          {loading && <Spinner inline label="Searching…" />}
        </div>
        <p id="search-hint" className="hint">
          Results appear as you type. Use ↑ ↓ to choose one and Enter to open it.
        </p>
      </div>

      <p className="visually-hidden" aria-live="polite">
        {chosen ? `${chosen.customerNumber} ${chosen.name ?? ''}` : ''}
      </p>

      {error !== null && <ErrorMessage error={error} onRetry={() => setFlush((n) => n + 1)} />}

      {results === null && error === null && <Spinner />}

      {results !== null && (
        <section aria-labelledby="results-title" className="results" data-testid="search-results-section" data-query={results.q}>
          <h2 id="results-title" className="results-title" aria-live="polite">
            {results.q === ''
              ? 'Recently updated'
              : items.length === 0
                ? `No customers match “${results.q}”`
                : `${items.length}${items.length >= LIMIT ? '+' : ''} result${items.length === 1 ? '' : 's'} for “${results.q}”`}
          </h2>

          {items.length === 0 ? (
            <div className="empty-state" data-testid="search-empty">
              <p>{results.q === '' ? 'There are no customers yet.' : 'Check the spelling, or search by number, e-mail or phone.'}</p>
              {canWrite && (
                <Link to={newCustomerHref} className="btn btn-primary">
                  New customer
                </Link>
              )}
            </div>
          ) : (
            <table className="table table-stack results-table" id="search-results" data-testid="search-results">
              <thead>
                <tr>
                  <th scope="col">Customer no.</th>
                  <th scope="col">Registration no.</th>
                  <th scope="col">Name</th>
                  <th scope="col">Reading</th>
                  <th scope="col">E-mail</th>
                  <th scope="col">Phone</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody ref={tableRef}>
                {items.map((c, i) => (
                  <tr
                    key={c.customerNumber}
                    data-index={i}
                    data-testid="search-result"
                    data-customer-number={c.customerNumber}
                    className={`clickable${i === active ? ' is-active' : ''}`}
                    aria-current={i === active ? 'true' : undefined}
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest('a')) return;
                      open(c);
                    }}
                  >
                    <td data-label="Customer no." className="mono">
                      <Link to={customerPath(c.customerNumber)}>{c.customerNumber}</Link>
                    </td>
                    <td data-label="Registration no." className="mono">
                      {c.registrationNoFormatted}
                    </td>
                    <td data-label="Name" className="cell-name">
                      {c.name ?? <span className="muted">—</span>}
                      {c.matchedOn === 'name_typo' && (
                        <span className="badge similar-tag" title="Not what you typed: one character differs" data-testid="similar-name">
                          similar
                        </span>
                      )}
                    </td>
                    <td data-label="Reading">{c.nameReading ?? <span className="muted">—</span>}</td>
                    <td data-label="E-mail" className="wrap">
                      {c.email ?? <span className="muted">—</span>}
                    </td>
                    <td data-label="Phone" className="mono">
                      {c.phone ?? <span className="muted">—</span>}
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={c.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {items.length >= LIMIT && <p className="hint">Showing the first {LIMIT}. Type more to narrow the search.</p>}
        </section>
      )}
    </main>
  );
}
