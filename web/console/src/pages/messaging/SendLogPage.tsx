import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, isAbort } from '../../api';
import { CHANNEL_LABELS, digitsOnly, formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import {
  messagingApi,
  messagingPaths,
  SEND_STATUS_LABELS,
  SEND_STATUSES,
  type Campaign,
  type SendLogEntry,
} from '../../messaging-api';
import { customerPath, Link, navigate, useLocation } from '../../router';
import { ChannelTag, SectionHead, SendStatusBadge } from '../../components/messaging/ui';
import { ErrorMessage, Spinner } from '../../components/ui';

const PAGE = 50;
const DEBOUNCE_MS = 400;

interface Filters {
  customerNumber: string;
  campaignId: string;
  status: string;
  channel: string;
}

const filtersOf = (search: URLSearchParams): Filters => ({
  customerNumber: digitsOnly(search.get('customerNumber') ?? ''),
  campaignId: /^[1-9][0-9]*$/.test(search.get('campaignId') ?? '') ? (search.get('campaignId') ?? '') : '',
  status: (SEND_STATUSES as string[]).includes(search.get('status') ?? '') ? (search.get('status') ?? '') : '',
  channel: search.get('channel') === 'email' || search.get('channel') === 'postal_mail' ? (search.get('channel') ?? '') : '',
});

interface Page {
  key: string;
  items: SendLogEntry[];
  more: boolean;
}

export function SendLogPage() {
  useDocumentTitle('Send log');
  const idBase = useId();
  const { search } = useLocation();
  const filters = filtersOf(search);
  const key = JSON.stringify(filters);
  const [customerInput, setCustomerInput] = useState(filters.customerNumber);
  const [page, setPage] = useState<Page | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const lastWritten = useRef(filters.customerNumber);
  const campaigns = useResource('send-log-campaigns', (signal) => messagingApi.campaigns(signal));

  /** Changes some filters, keeping the others as the URL has them now (not as this render saw them). */
  const setFilters = (patch: Partial<Filters>) => {
    const next = { ...filtersOf(new URLSearchParams(window.location.search)), ...patch };
    navigate(messagingPaths.sendLog(next), { replace: true });
  };

  // The URL changed under us (a link, the back button): follow it.
  useEffect(() => {
    if (filters.customerNumber !== lastWritten.current) {
      lastWritten.current = filters.customerNumber;
      setCustomerInput(filters.customerNumber);
    }
  }, [filters.customerNumber]);

  // The customer number is applied after a pause in typing.
  useEffect(() => {
    const n = digitsOnly(customerInput);
    if (n === lastWritten.current) return;
    const timer = window.setTimeout(() => {
      lastWritten.current = n;
      setFilters({ customerNumber: n });
    }, DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
    // setFilters reads the URL when it runs; only the typed text starts a new wait.
  }, [customerInput]);

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setMoreError(null);
    const f = JSON.parse(key) as Filters;
    messagingApi
      .sendLog(
        {
          customerNumber: f.customerNumber || undefined,
          campaignId: f.campaignId ? Number(f.campaignId) : undefined,
          status: f.status || undefined,
          channel: f.channel || undefined,
          limit: PAGE,
        },
        ctrl.signal,
      )
      .then(
        (res) => {
          if (ctrl.signal.aborted) return;
          setPage({ key, items: res.items, more: res.items.length >= PAGE });
          setError(null);
          setLoading(false);
        },
        (err: unknown) => {
          if (ctrl.signal.aborted || isAbort(err)) return;
          setError(err);
          setPage(null);
          setLoading(false);
        },
      );
    return () => ctrl.abort();
  }, [key, tick]);

  const loadMore = async () => {
    if (!page || loadingMore) return;
    const last = page.items[page.items.length - 1];
    if (!last) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const res = await messagingApi.sendLog({
        customerNumber: filters.customerNumber || undefined,
        campaignId: filters.campaignId ? Number(filters.campaignId) : undefined,
        status: filters.status || undefined,
        channel: filters.channel || undefined,
        before: last.id,
        limit: PAGE,
      });
      setPage((p) => (p && p.key === key ? { key, items: [...p.items, ...res.items], more: res.items.length >= PAGE } : p));
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  const campaignList = campaigns.data?.items ?? [];
  const campaignNames = new Map(campaignList.map((c) => [c.id, c.name]));
  const anyFilter = Object.values(filters).some(Boolean);
  const unknownCustomer = error instanceof ApiError && error.status === 404 && filters.customerNumber !== '';

  return (
    <>
      <SectionHead title="Send log" />
      <form
        className="card msg-filters"
        role="search"
        aria-label="Filter the send log"
        onSubmit={(e) => {
          e.preventDefault();
          const n = digitsOnly(customerInput);
          lastWritten.current = n;
          if (n !== filters.customerNumber) setFilters({ customerNumber: n });
          else setTick((t) => t + 1);
        }}
      >
        <div className="field">
          <label htmlFor={`${idBase}-customer`}>Customer no.</label>
          <input
            id={`${idBase}-customer`}
            type="search"
            inputMode="numeric"
            autoComplete="off"
            value={customerInput}
            onChange={(e) => setCustomerInput(e.target.value)}
            data-testid="filter-customer"
          />
        </div>
        <div className="field">
          <label htmlFor={`${idBase}-campaign`}>Campaign</label>
          <select id={`${idBase}-campaign`} value={filters.campaignId} onChange={(e) => setFilters({ campaignId: e.target.value })} data-testid="filter-campaign">
            <option value="">All campaigns</option>
            {filters.campaignId && !campaignNames.has(Number(filters.campaignId)) && <option value={filters.campaignId}>Campaign {filters.campaignId}</option>}
            {campaignList.map((c: Campaign) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${idBase}-status`}>Status</label>
          <select id={`${idBase}-status`} value={filters.status} onChange={(e) => setFilters({ status: e.target.value })} data-testid="filter-status">
            <option value="">All statuses</option>
            {SEND_STATUSES.map((s) => (
              <option key={s} value={s}>
                {SEND_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${idBase}-channel`}>Channel</label>
          <select id={`${idBase}-channel`} value={filters.channel} onChange={(e) => setFilters({ channel: e.target.value })} data-testid="filter-channel">
            <option value="">All channels</option>
            <option value="email">{CHANNEL_LABELS.email}</option>
            <option value="postal_mail">{CHANNEL_LABELS.postal_mail}</option>
          </select>
        </div>
        <div className="msg-filter-actions">
          {anyFilter && (
            <button
              type="button"
              className="btn btn-quiet"
              onClick={() => {
                lastWritten.current = '';
                setCustomerInput('');
                navigate(messagingPaths.sendLog(), { replace: true });
              }}
            >
              Clear filters
            </button>
          )}
          {loading && <Spinner inline label="Loading…" />}
        </div>
        <button type="submit" className="visually-hidden" tabIndex={-1}>
          Apply
        </button>
      </form>

      {unknownCustomer ? (
        <div className="alert alert-error" role="alert">
          <span>There is no customer {filters.customerNumber}.</span>
        </div>
      ) : (
        error !== null && <ErrorMessage error={error} onRetry={() => setTick((t) => t + 1)} />
      )}
      {page === null && loading && <Spinner label="Loading the send log…" />}

      {page && (
        <section className="results" aria-label="Messages" data-testid="send-log" data-filters={page.key}>
          {page.items.length === 0 ? (
            <div className="empty-state" data-testid="send-log-empty">
              <p>{anyFilter ? 'No messages match these filters.' : 'Nothing has been sent yet.'}</p>
            </div>
          ) : (
            <>
              <p className="results-title" aria-live="polite">
                {page.items.length}
                {page.more ? '+' : ''} message{page.items.length === 1 ? '' : 's'}, newest first
              </p>
              <table className="table table-stack results-table msg-log-table">
                <thead>
                  <tr>
                    <th scope="col">Queued</th>
                    <th scope="col">Customer</th>
                    <th scope="col">Campaign</th>
                    <th scope="col">Channel</th>
                    <th scope="col">Status</th>
                    <th scope="col">Message</th>
                    <th scope="col">Sent</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((r) => (
                    <tr key={r.id} data-testid="send-log-row" data-status={r.status} data-customer-number={r.customerNumber}>
                      <td data-label="Queued" className="msg-nowrap">
                        <time dateTime={r.queuedAt}>{formatDateTime(r.queuedAt)}</time>
                      </td>
                      <td data-label="Customer" className="mono">
                        <Link to={customerPath(r.customerNumber)}>{r.customerNumber}</Link>
                      </td>
                      <td data-label="Campaign" className="wrap">
                        {r.campaignId !== null ? (
                          <Link to={messagingPaths.campaign(r.campaignId)}>{campaignNames.get(r.campaignId) ?? `Campaign ${r.campaignId}`}</Link>
                        ) : r.trigger ? (
                          <span>
                            on <code>{r.trigger}</code>
                          </span>
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </td>
                      <td data-label="Channel">
                        <ChannelTag channel={r.channel} />
                      </td>
                      <td data-label="Status">
                        <div className="msg-cell-stack">
                          <SendStatusBadge status={r.status} />
                          {r.attempts > 1 && <span className="muted msg-small">{r.attempts} attempts</span>}
                          {r.error && <span className="msg-error-text msg-small">{r.error}</span>}
                        </div>
                      </td>
                      <td data-label="Message" className="wrap">
                        <div className="msg-cell-stack">
                          <span>{r.subject ?? <span className="muted">—</span>}</span>
                          {r.recipient && <span className="muted msg-small">{r.recipient}</span>}
                        </div>
                      </td>
                      <td data-label="Sent" className="msg-nowrap">
                        {r.sentAt ? <time dateTime={r.sentAt}>{formatDateTime(r.sentAt)}</time> : <span className="muted">—</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {moreError !== null && <ErrorMessage error={moreError} onRetry={loadMore} />}
              {page.more ? (
                <div className="msg-load-more">
                  <button type="button" className="btn" onClick={loadMore} disabled={loadingMore} data-testid="load-more">
                    {loadingMore ? 'Loading…' : 'Load more'}
                  </button>
                </div>
              ) : (
                <p className="hint msg-end">That is all.</p>
              )}
            </>
          )}
        </section>
      )}
    </>
  );
}
