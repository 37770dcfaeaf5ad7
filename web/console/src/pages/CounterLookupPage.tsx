import { useState } from 'react';
import { ApiError, messageOf, request } from '../api';
import { useDocumentTitle } from '../hooks';
import { useSession } from '../session';

interface CounterView {
  customerNumber: string;
  registrationNoFormatted: string;
  name: string | null;
  nameReading: string | null;
  nickname: string | null;
  rank: string;
  status: string;
}

/**
 * Store and facility staff do not browse the customer base: they look one customer up by the
 * exact number on a card or a product, and see what the counter needs.
 */
export function CounterLookupPage() {
  useDocumentTitle('Customer lookup');
  const { staff } = useSession();
  const [identifier, setIdentifier] = useState('');
  const [result, setResult] = useState<CounterView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const lookup = async () => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await request<CounterView>('GET', '/api/customers/lookup', { query: { identifier: identifier.trim() } }));
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? 'No customer has this number.' : messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="page page-narrow">
      <div className="page-head">
        <h1>Customer lookup</h1>
      </div>
      <p className="hint">
        {staff.role === 'store' ? 'Store' : 'Facility'} staff find a customer by the exact number: customer number, registration
        number, member card, card UID or product serial.
      </p>
      <form
        className="inline-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (identifier.trim()) void lookup();
        }}
      >
        <label className="field field-grow">
          <span>Number</span>
          <input value={identifier} onChange={(e) => setIdentifier(e.target.value)} autoFocus maxLength={200} data-testid="lookup-input" />
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy || !identifier.trim()}>
          {busy ? 'Looking up…' : 'Look up'}
        </button>
      </form>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <section className="card" data-testid="lookup-result" aria-live="polite">
          <h2>{result.name ?? result.nickname ?? `Customer ${result.customerNumber}`}</h2>
          <dl className="kv">
            <div className="kv-row">
              <dt>Reading</dt>
              <dd>{result.nameReading ?? '—'}</dd>
            </div>
            <div className="kv-row">
              <dt>Nickname</dt>
              <dd>{result.nickname ?? '—'}</dd>
            </div>
            <div className="kv-row">
              <dt>Customer number</dt>
              <dd className="mono">{result.customerNumber}</dd>
            </div>
            <div className="kv-row">
              <dt>Registration number</dt>
              <dd className="mono">{result.registrationNoFormatted}</dd>
            </div>
            <div className="kv-row">
              <dt>Rank</dt>
              <dd>{result.rank}</dd>
            </div>
          </dl>
        </section>
      )}
    </main>
  );
}
