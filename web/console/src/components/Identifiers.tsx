import { useId, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { formatDateTime, IDENTIFIER_LABELS } from '../format';
import { customerPath, Link } from '../router';
import { IDENTIFIER_KINDS, type Customer, type Identifier, type IdentifierKind } from '../types';
import { Dialog } from './Dialog';
import { ErrorMessage, useToast } from './ui';

interface Props {
  customer: Customer;
  editable: boolean;
  onChanged: () => void;
}

export function Identifiers({ customer, editable, onChanged }: Props) {
  const [removing, setRemoving] = useState<Identifier | null>(null);
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<unknown>(null);
  const toast = useToast();

  const remove = async () => {
    if (!removing) return;
    setBusy(true);
    setRemoveError(null);
    try {
      await api.removeIdentifier(customer.customerNumber, removing.id);
      toast(`${IDENTIFIER_LABELS[removing.kind] ?? removing.kind} ${removing.value} removed`);
      setRemoving(null);
      onChanged();
    } catch (err) {
      setRemoveError(err);
    } finally {
      setBusy(false);
    }
  };

  // Registration numbers (its own and merged records') are issued, never removed.
  const isPrimary = (i: Identifier) => i.kind === 'registration_no';

  return (
    <section className="card" aria-labelledby="identifiers-title" data-testid="identifiers">
      <div className="card-head">
        <h2 id="identifiers-title">Identifiers</h2>
        <span className="count">{customer.identifiers.length}</span>
      </div>
      {customer.identifiers.length === 0 ? (
        <p className="muted">No identifiers.</p>
      ) : (
        <table className="table table-stack identifiers-table">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Value</th>
              <th scope="col">Source</th>
              <th scope="col">Added</th>
              {editable && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {customer.identifiers.map((i) => (
              <tr key={i.id} data-testid="identifier">
                <td data-label="Kind">{IDENTIFIER_LABELS[i.kind] ?? i.kind}</td>
                <td data-label="Value" className="mono wrap">
                  {i.value}
                </td>
                <td data-label="Source">{i.source}</td>
                <td data-label="Added">
                  <time dateTime={i.createdAt}>{formatDateTime(i.createdAt)}</time>
                </td>
                {editable && (
                  <td className="cell-actions">
                    {!isPrimary(i) && (
                      <button
                        type="button"
                        className="btn btn-small btn-quiet"
                        onClick={() => {
                          setRemoveError(null);
                          setRemoving(i);
                        }}
                        aria-label={`Remove ${IDENTIFIER_LABELS[i.kind] ?? i.kind} ${i.value}`}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {editable && <AddIdentifier customerNumber={customer.customerNumber} onAdded={onChanged} />}

      {removing && (
        <Dialog title="Remove identifier?" onClose={() => setRemoving(null)} busy={busy}>
          <p>
            Remove {IDENTIFIER_LABELS[removing.kind] ?? removing.kind} <strong className="mono">{removing.value}</strong> from
            customer {customer.customerNumber}? Records that arrive with it will no longer find this customer.
          </p>
          {removeError !== null && <ErrorMessage error={removeError} />}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setRemoving(null)} disabled={busy} data-autofocus>
              Cancel
            </button>
            <button type="button" className="btn btn-danger" onClick={remove} disabled={busy}>
              {busy ? 'Removing…' : 'Remove'}
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function AddIdentifier({ customerNumber, onAdded }: { customerNumber: string; onAdded: () => void }) {
  const [kind, setKind] = useState<IdentifierKind>('member_card');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toast = useToast();
  const id = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!value.trim()) {
      setError(new Error('Enter a value'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const added = await api.addIdentifier(customerNumber, kind, value.trim());
      toast(`${IDENTIFIER_LABELS[added.kind] ?? added.kind} ${added.value} added`);
      setValue('');
      onAdded();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const owner = error instanceof ApiError && typeof error.details.customerNumber === 'string' ? error.details.customerNumber : null;

  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add identifier" data-testid="add-identifier">
      <div className="field">
        <label htmlFor={`${id}-kind`}>Kind</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as IdentifierKind)} disabled={busy}>
          {IDENTIFIER_KINDS.map((k) => (
            <option key={k} value={k}>
              {IDENTIFIER_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-grow">
        <label htmlFor={`${id}-value`}>Value</label>
        <input
          id={`${id}-value`}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
          spellCheck={false}
          disabled={busy}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
        />
      </div>
      <button type="submit" className="btn" disabled={busy}>
        {busy ? 'Adding…' : 'Add'}
      </button>
      {error !== null && (
        <div id={`${id}-error`} className="inline-form-error">
          <ErrorMessage error={error} />
          {owner && owner !== customerNumber && (
            <p className="hint">
              It belongs to <Link to={customerPath(owner)}>customer {owner}</Link>.
            </p>
          )}
        </div>
      )}
    </form>
  );
}
