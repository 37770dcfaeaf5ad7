import { useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import { FIELD_LABELS, formatDateTime } from '../format';
import { useDocumentTitle, useResource } from '../hooks';
import { customerPath, Link } from '../router';
import { useSession } from '../session';
import { PERSONAL_FIELDS, type Customer } from '../types';
import { AuditTimeline } from '../components/AuditTimeline';
import { Consent } from '../components/Consent';
import { CustomerActions, type MergeResult } from '../components/CustomerActions';
import { Identifiers } from '../components/Identifiers';
import { CustomerProducts } from '../components/registrations/CustomerProducts';
import { CustomerAppliancesCard } from '../components/appliances/CustomerAppliancesCard';
import { PersonalForm } from '../components/PersonalForm';
import { ErrorMessage, Spinner, StatusBadge, useFocusOnMount, useToast } from '../components/ui';

export function CustomerPage({ customerNumber }: { customerNumber: string }) {
  const customer = useResource(customerNumber, (signal) => api.getCustomer(customerNumber, signal));
  const [auditVersion, setAuditVersion] = useState(0);
  const c = customer.data;
  useDocumentTitle(c ? `${c.personal.name ?? 'Customer'} ${c.customerNumber}` : `Customer ${customerNumber}`);

  const changed = (updated?: Customer) => {
    if (updated) customer.setData(updated);
    else customer.reload();
    setAuditVersion((v) => v + 1);
  };

  if (!c) {
    return (
      <main id="main" className="page">
        <Breadcrumb customerNumber={customerNumber} />
        {customer.loading && <Spinner label="Loading customer…" />}
        {customer.error instanceof ApiError && customer.error.status === 404 ? (
          <div className="empty-state" role="alert">
            <h1>Customer {customerNumber} not found</h1>
            <p>
              <Link to="/customers">Search for customers</Link>
            </p>
          </div>
        ) : (
          customer.error !== null && <ErrorMessage error={customer.error} onRetry={customer.reload} />
        )}
      </main>
    );
  }

  return (
    <CustomerView
      key={c.customerNumber}
      customer={c}
      refreshing={customer.loading}
      error={customer.error}
      onRetry={customer.reload}
      onChanged={changed}
      auditVersion={auditVersion}
    />
  );
}

function Breadcrumb({ customerNumber }: { customerNumber: string }) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to="/customers">Customers</Link>
      <span aria-hidden="true"> / </span>
      <span aria-current="page">{customerNumber}</span>
    </nav>
  );
}

interface ViewProps {
  customer: Customer;
  refreshing: boolean;
  error: unknown;
  onRetry: () => void;
  onChanged: (updated?: Customer) => void;
  auditVersion: number;
}

function CustomerView({ customer: c, refreshing, error, onRetry, onChanged, auditVersion }: ViewProps) {
  const { canWrite } = useSession();
  const toast = useToast();
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const [editing, setEditing] = useState(false);
  const [lastMerge, setLastMerge] = useState<MergeResult | null>(null);
  const [undoing, setUndoing] = useState(false);
  const [undoError, setUndoError] = useState<unknown>(null);
  const [restored, setRestored] = useState<Customer | null>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const undoButton = useRef<HTMLButtonElement>(null);

  // A merge is done from the bottom of the page; bring its result (and the undo button) into view.
  useEffect(() => {
    if (!lastMerge) return;
    undoButton.current?.scrollIntoView({ block: 'center' });
    undoButton.current?.focus({ preventScroll: true });
  }, [lastMerge]);
  const editable = canWrite && c.status === 'active';

  const stopEditing = () => {
    setEditing(false);
    window.setTimeout(() => editButton.current?.focus(), 0);
  };

  const save = async (changes: Partial<Customer['personal']>) => {
    const updated = await api.updateCustomer(c.customerNumber, changes);
    onChanged(updated);
    toast('Saved');
    stopEditing();
  };

  /** Undoes a merge into this customer; throws the API error for the caller to show. */
  const undoMerge = async (mergeId: number) => {
    const res = await api.undoMerge(mergeId);
    setLastMerge((m) => (m?.mergeId === mergeId ? null : m));
    setRestored(res.restored);
    onChanged(res.customer);
    toast(`Merge undone; customer ${res.restored.customerNumber} restored`);
  };

  const undoLastMerge = async () => {
    if (!lastMerge) return;
    setUndoing(true);
    setUndoError(null);
    try {
      await undoMerge(lastMerge.mergeId);
    } catch (err) {
      setUndoError(err);
    } finally {
      setUndoing(false);
    }
  };

  return (
    <main id="main" className="page page-customer" data-testid="customer-page" data-customer-number={c.customerNumber}>
      <Breadcrumb customerNumber={c.customerNumber} />
      <header className="customer-head">
        <div className="customer-title">
          <h1 ref={headingRef} tabIndex={-1} data-testid="customer-name">
            {c.personal.name ?? <span className="muted">No name</span>}
          </h1>
          <StatusBadge status={c.status} />
          {refreshing && <Spinner inline label="Refreshing…" />}
        </div>
        {c.personal.nameReading && <p className="customer-reading">{c.personal.nameReading}</p>}
        <dl className="customer-facts">
          <div>
            <dt>Customer no.</dt>
            <dd className="mono" data-testid="customer-number">
              {c.customerNumber}
            </dd>
          </div>
          <div>
            <dt>Registration no.</dt>
            <dd className="mono">{c.registrationNoFormatted}</dd>
          </div>
          <div>
            <dt>Rank</dt>
            <dd>{c.rank}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <time dateTime={c.createdAt}>{formatDateTime(c.createdAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Updated</dt>
            <dd>
              <time dateTime={c.updatedAt}>{formatDateTime(c.updatedAt)}</time>
            </dd>
          </div>
        </dl>
      </header>

      {error !== null && <ErrorMessage error={error} onRetry={onRetry} />}

      {c.status === 'merged' && (
        <div className="banner banner-merged" role="status" data-testid="merged-banner">
          <strong>
            Merged into{' '}
            {c.mergedInto ? <Link to={customerPath(c.mergedInto)}>{c.mergedInto}</Link> : 'another customer'}
          </strong>
          <span>This record is kept for history. Work with the customer it was merged into.</span>
        </div>
      )}
      {c.status === 'erased' && (
        <div className="banner banner-erased" role="status" data-testid="erased-banner">
          <strong>This customer has been erased</strong>
          <span>Their personal data was removed. Only the record number and its history remain.</span>
        </div>
      )}
      {lastMerge && (
        <div className="banner banner-ok" role="status" data-testid="merge-banner">
          <strong>
            Customer {lastMerge.other.customerNumber}
            {lastMerge.other.name ? ` (${lastMerge.other.name})` : ''} was merged into this customer.
          </strong>
          <button
            ref={undoButton}
            type="button"
            className="btn btn-small"
            onClick={undoLastMerge}
            disabled={undoing}
            data-testid="undo-merge"
          >
            {undoing ? 'Undoing…' : 'Undo merge'}
          </button>
          {undoError !== null && <ErrorMessage error={undoError} />}
        </div>
      )}
      {restored && (
        <div className="banner banner-info" role="status">
          <strong>
            Merge undone. <Link to={customerPath(restored.customerNumber)}>Customer {restored.customerNumber}</Link>
            {restored.personal.name ? ` (${restored.personal.name})` : ''} is separate again.
          </strong>
        </div>
      )}

      <div className="customer-grid">
        <div className="customer-main">
          <section className="card" aria-labelledby="personal-title" data-testid="personal">
            <div className="card-head">
              <h2 id="personal-title">Personal information</h2>
              {editable && !editing && (
                <button
                  ref={editButton}
                  type="button"
                  className="btn btn-small"
                  onClick={() => setEditing(true)}
                  data-testid="edit-personal"
                >
                  Edit
                </button>
              )}
            </div>
            {editing ? (
              <PersonalForm initial={c.personal} submitLabel="Save" onSubmit={save} onCancel={stopEditing} />
            ) : (
              <dl className="kv" data-testid="personal-view">
                {PERSONAL_FIELDS.map((f) => (
                  <div key={f} className="kv-row" data-field={f}>
                    <dt>{FIELD_LABELS[f]}</dt>
                    <dd className={f === 'email' ? 'wrap' : undefined}>{c.personal[f] ?? <span className="muted">—</span>}</dd>
                  </div>
                ))}
              </dl>
            )}
          </section>

          <Identifiers customer={c} editable={editable} onChanged={() => onChanged()} />
          <Consent customer={c} editable={editable} onChanged={(u) => onChanged(u)} />
          <CustomerProducts customerNumber={c.customerNumber} />
          <CustomerAppliancesCard customerNumber={c.customerNumber} />
          {canWrite && c.status !== 'merged' && (
            <CustomerActions
              customer={c}
              onMerged={(updated, result) => {
                setRestored(null);
                setUndoError(null);
                setLastMerge(result);
                onChanged(updated);
                toast(`Customer ${result.other.customerNumber} merged`);
              }}
              onErased={(erased) => {
                onChanged(erased);
                toast('Customer erased');
                window.scrollTo(0, 0);
                window.setTimeout(() => headingRef.current?.focus({ preventScroll: true }), 0);
              }}
            />
          )}
        </div>
        <div className="customer-side">
          <AuditTimeline
            customerNumber={c.customerNumber}
            version={auditVersion}
            onUndoMerge={editable ? undoMerge : undefined}
          />
        </div>
      </div>
    </main>
  );
}
