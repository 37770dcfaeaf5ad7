import { useId, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { digitsOnly } from '../format';
import type { Customer } from '../types';
import { Dialog } from './Dialog';
import { ErrorMessage, StatusBadge, useToast } from './ui';

export interface MergeResult {
  mergeId: number;
  other: { customerNumber: string; name: string | null };
}

interface Props {
  customer: Customer;
  onMerged: (customer: Customer, result: MergeResult) => void;
  onErased: (customer: Customer) => void;
}

/** Merge, export and erase: admin-only actions on one customer. */
export function CustomerActions({ customer, onMerged, onErased }: Props) {
  const active = customer.status === 'active';
  return (
    <section className="card" aria-labelledby="actions-title" data-testid="actions">
      <div className="card-head">
        <h2 id="actions-title">Actions</h2>
      </div>
      <div className="actions-list">
        {active && <MergeAction customer={customer} onMerged={onMerged} />}
        <ExportAction customer={customer} />
        {active && <EraseAction customer={customer} onErased={onErased} />}
      </div>
    </section>
  );
}

function MergeAction({ customer, onMerged }: { customer: Customer; onMerged: Props['onMerged'] }) {
  const [otherNumber, setOtherNumber] = useState('');
  const [checking, setChecking] = useState(false);
  const [other, setOther] = useState<Customer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [dialogError, setDialogError] = useState<unknown>(null);
  const id = useId();

  const review = async (e: FormEvent) => {
    e.preventDefault();
    const n = otherNumber.trim();
    setError(null);
    if (!n) {
      setError(new Error('Enter the number of the customer to merge into this one'));
      return;
    }
    if (n === customer.customerNumber) {
      setError(new Error('That is this customer. Enter the number of the duplicate.'));
      return;
    }
    setChecking(true);
    try {
      const found = await api.getCustomer(n);
      if (found.status !== 'active') {
        setError(new Error(`Customer ${n} is ${found.status} and cannot be merged`));
      } else {
        setDialogError(null);
        setOther(found);
      }
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? new Error(`There is no customer ${n}`) : err);
    } finally {
      setChecking(false);
    }
  };

  const merge = async () => {
    if (!other) return;
    setBusy(true);
    setDialogError(null);
    try {
      const res = await api.merge(customer.customerNumber, other.customerNumber);
      setOther(null);
      setOtherNumber('');
      onMerged(res.customer, {
        mergeId: res.mergeId,
        other: { customerNumber: other.customerNumber, name: other.personal.name },
      });
    } catch (err) {
      setDialogError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="action-block">
      <h3>Merge a duplicate</h3>
      <p className="hint">The other customer is merged into this one: its identifiers, consent and history move here.</p>
      <form className="inline-form" onSubmit={review} data-testid="merge-form">
        <div className="field field-grow">
          <label htmlFor={`${id}-other`}>Other customer no.</label>
          <input
            id={`${id}-other`}
            inputMode="numeric"
            autoComplete="off"
            value={otherNumber}
            onChange={(e) => setOtherNumber(e.target.value)}
            disabled={checking}
          />
        </div>
        <button type="submit" className="btn" disabled={checking}>
          {checking ? 'Checking…' : 'Merge…'}
        </button>
      </form>
      {error !== null && <ErrorMessage error={error} />}

      {other && (
        <Dialog title="Merge these customers?" onClose={() => setOther(null)} busy={busy} testId="merge-dialog">
          <div className="merge-preview">
            <div className="merge-card">
              <span className="merge-role">Merged (goes away)</span>
              <strong>{other.personal.name ?? 'No name'}</strong>
              <span className="mono">
                {other.customerNumber} · {other.registrationNoFormatted}
              </span>
              <StatusBadge status={other.status} />
            </div>
            <div className="merge-arrow" aria-hidden="true">
              →
            </div>
            <div className="merge-card merge-card-keep">
              <span className="merge-role">Kept</span>
              <strong>{customer.personal.name ?? 'No name'}</strong>
              <span className="mono">
                {customer.customerNumber} · {customer.registrationNoFormatted}
              </span>
              <StatusBadge status={customer.status} />
            </div>
          </div>
          <p>
            Customer {other.customerNumber} will be merged into {customer.customerNumber}. You can undo this right after.
          </p>
          {dialogError !== null && <ErrorMessage error={dialogError} />}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setOther(null)} disabled={busy} data-autofocus>
              Cancel
            </button>
            <button type="button" className="btn btn-primary" onClick={merge} disabled={busy} data-testid="merge-confirm">
              {busy ? 'Merging…' : `Merge into ${customer.customerNumber}`}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

function ExportAction({ customer }: { customer: Customer }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toast = useToast();

  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const blob = await api.exportCustomer(customer.customerNumber);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `customer-${customer.customerNumber}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      toast(`Exported customer-${customer.customerNumber}.json`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="action-block">
      <h3>Export</h3>
      <p className="hint">Everything held about this customer, as a JSON file (for a data access request).</p>
      <button type="button" className="btn" onClick={download} disabled={busy} data-testid="export">
        {busy ? 'Exporting…' : 'Download JSON'}
      </button>
      {error !== null && <ErrorMessage error={error} />}
    </div>
  );
}

function EraseAction({ customer, onErased }: { customer: Customer; onErased: Props['onErased'] }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const id = useId();
  const matches = digitsOnly(typed) === digitsOnly(customer.registrationNo) && digitsOnly(typed) !== '';

  const erase = async (e: FormEvent) => {
    e.preventDefault();
    if (!matches || busy) return;
    setBusy(true);
    setError(null);
    try {
      const erased = await api.erase(customer.customerNumber, customer.registrationNo);
      setOpen(false);
      onErased(erased);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="action-block action-danger">
      <h3>Erase</h3>
      <p className="hint">Removes this customer's personal data for good. This cannot be undone.</p>
      <button
        type="button"
        className="btn btn-danger"
        onClick={() => {
          setTyped('');
          setError(null);
          setOpen(true);
        }}
        data-testid="erase"
      >
        Erase personal data…
      </button>
      {open && (
        <Dialog title="Erase this customer?" onClose={() => setOpen(false)} busy={busy} testId="erase-dialog">
          <form onSubmit={erase}>
            <p>
              The personal data of <strong>{customer.personal.name ?? 'this customer'}</strong> (customer{' '}
              {customer.customerNumber}) will be erased. This cannot be undone.
            </p>
            <div className="field">
              <label htmlFor={`${id}-confirm`}>
                Type the registration number <span className="mono">{customer.registrationNoFormatted}</span> to confirm
              </label>
              <input
                id={`${id}-confirm`}
                inputMode="numeric"
                autoComplete="off"
                spellCheck={false}
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
                disabled={busy}
                data-autofocus
              />
            </div>
            {error !== null && <ErrorMessage error={error} />}
            <div className="dialog-actions">
              <button type="button" className="btn" onClick={() => setOpen(false)} disabled={busy}>
                Cancel
              </button>
              <button type="submit" className="btn btn-danger" disabled={!matches || busy}>
                {busy ? 'Erasing…' : 'Erase'}
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </div>
  );
}
