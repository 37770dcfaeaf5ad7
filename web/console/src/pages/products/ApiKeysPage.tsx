import { useState } from 'react';
import { ApiError, messageOf } from '../../api';
import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { useSession } from '../../session';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Spinner, useToast } from '../../components/ui';
import { KEY_KINDS, productsApi, type ApiKey } from '../../products-api';

const KIND_LABELS: Record<string, string> = {
  store_terminal: 'Store terminal',
  reader: 'Card reader',
  device: 'Device',
  tracker: 'Web tracker',
  partner: 'Partner',
};

/** API keys for terminals, readers, devices, trackers and partners. Store staff see their store's terminals. */
export function ApiKeysPage() {
  useDocumentTitle('API keys');
  const { staff } = useSession();
  const toast = useToast();
  const isAdmin = staff.role === 'admin';
  const keys = useResource('keys', (signal) => productsApi.keys(signal));
  const orgs = useResource(`orgs:${isAdmin}`, async (signal) =>
    isAdmin
      ? {
          stores: (await productsApi.organisations('stores', signal)).items,
          facilities: (await productsApi.organisations('facilities', signal)).items,
          partners: (await productsApi.organisations('partners', signal)).items,
        }
      : { stores: [], facilities: [], partners: [] },
  );
  const [kind, setKind] = useState<string>(isAdmin ? 'reader' : 'store_terminal');
  const [label, setLabel] = useState('');
  const [owner, setOwner] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<(ApiKey & { key: string; surface: string }) | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const ownerField = kind === 'store_terminal' ? 'storeId' : kind === 'partner' ? 'partnerId' : kind === 'reader' ? 'facilityId' : null;
  const ownerOptions =
    ownerField === 'storeId' ? orgs.data?.stores : ownerField === 'partnerId' ? orgs.data?.partners : ownerField === 'facilityId' ? orgs.data?.facilities : [];

  const create = async () => {
    setBusy(true);
    setErrors({});
    try {
      const body: Parameters<typeof productsApi.createKey>[0] = { kind, label };
      if (isAdmin && ownerField && owner) (body as Record<string, unknown>)[ownerField] = Number(owner);
      setCreated(await productsApi.createKey(body));
      setLabel('');
      keys.reload();
    } catch (err) {
      if (err instanceof ApiError && err.fields.length) setErrors(Object.fromEntries(err.fields.map((f) => [f.field, f.message])));
      else setErrors({ form: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="page">
      <div className="page-head">
        <h1>API keys</h1>
      </div>
      <section className="card" aria-labelledby="new-key">
        <h2 id="new-key">New key</h2>
        <form
          className="form-grid"
          onSubmit={(e) => {
            e.preventDefault();
            void create();
          }}
        >
          <label className="field">
            <span>Kind</span>
            <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value)} disabled={!isAdmin}>
              {(isAdmin ? KEY_KINDS : (['store_terminal'] as const)).map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Label</span>
            <input value={label} onChange={(e) => setLabel(e.target.value)} required maxLength={100} placeholder="e.g. Shibuya till 2" />
            {errors.label && <span className="field-error">{errors.label}</span>}
          </label>
          {isAdmin && ownerField && (
            <label className="field">
              <span>{ownerField === 'storeId' ? 'Store' : ownerField === 'partnerId' ? 'Partner' : 'Facility (optional)'}</span>
              <select value={owner} onChange={(e) => setOwner(e.target.value)}>
                <option value="">—</option>
                {(ownerOptions ?? []).map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name} ({o.code})
                  </option>
                ))}
              </select>
              {errors[ownerField] && <span className="field-error">{errors[ownerField]}</span>}
            </label>
          )}
          {errors.form && <p className="alert alert-error">{errors.form}</p>}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create key'}
            </button>
          </div>
        </form>
      </section>

      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys</h2>
        {keys.error ? <ErrorMessage error={keys.error} onRetry={keys.reload} /> : null}
        {!keys.data ? (
          !keys.error && <Spinner />
        ) : keys.data.items.length === 0 ? (
          <p className="muted">No keys yet.</p>
        ) : (
          <div className="wrap">
            <table className="table" data-testid="keys">
              <thead>
                <tr>
                  <th scope="col">Key id</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Label</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.items.map((k) => (
                  <tr key={k.id}>
                    <td className="mono">{k.keyId}</td>
                    <td>{KIND_LABELS[k.kind] ?? k.kind}</td>
                    <td>{k.label}</td>
                    <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'never'}</td>
                    <td>{k.revokedAt ? `revoked ${formatDateTime(k.revokedAt)}` : 'active'}</td>
                    <td>
                      {!k.revokedAt && (
                        <button type="button" className="btn btn-small btn-danger" onClick={() => setRevoking(k)}>
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {created && (
        <Dialog title="Your new API key" onClose={() => setCreated(null)} testId="new-key-dialog">
          <p>
            Copy it now: <strong>it will not be shown again</strong>. It works on the <strong>{created.surface}</strong> surface as
            <code> Authorization: Bearer …</code>.
          </p>
          <p>
            <code className="mono prod-key" data-testid="new-key">
              {created.key}
            </code>
          </p>
          <div className="dialog-actions">
            <button
              type="button"
              className="btn"
              onClick={() => void navigator.clipboard?.writeText(created.key).then(() => toast('Copied'), () => toast('Copy it by hand', 'error'))}
            >
              Copy
            </button>
            <button type="button" className="btn btn-primary" data-autofocus onClick={() => setCreated(null)}>
              I have saved it
            </button>
          </div>
        </Dialog>
      )}
      {revoking && (
        <Dialog title={`Revoke ${revoking.label}?`} onClose={() => setRevoking(null)}>
          <p>Whatever uses this key stops working at once. This cannot be undone.</p>
          <div className="dialog-actions">
            <button type="button" className="btn" data-autofocus onClick={() => setRevoking(null)}>
              Keep it
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={async () => {
                try {
                  await productsApi.revokeKey(revoking.id);
                  toast('Key revoked');
                  keys.reload();
                } catch (err) {
                  toast(messageOf(err), 'error');
                } finally {
                  setRevoking(null);
                }
              }}
            >
              Revoke
            </button>
          </div>
        </Dialog>
      )}
    </main>
  );
}
