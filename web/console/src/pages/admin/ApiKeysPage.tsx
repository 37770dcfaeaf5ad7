import { useId, useRef, useState, type FormEvent } from 'react';
import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { Link } from '../../router';
import { useSession } from '../../session';
import {
  adminApi,
  fieldErrors,
  KEY_KIND_HINTS,
  KEY_KIND_LABELS,
  KEY_KINDS,
  type ApiKey,
  type CreatedApiKey,
  type KeyKind,
  type NewApiKey,
} from '../../admin-api';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Spinner, useToast } from '../../components/ui';
import { FieldError, invalidProps, OrgName, useOrganisations, type Organisations } from './shared';

/** Which organisation a key kind is bound to: required for terminals and partners, optional for readers. */
const BINDING: Partial<Record<KeyKind, { field: 'storeId' | 'facilityId' | 'partnerId'; list: keyof Organisations; noun: string; required: boolean }>> = {
  store_terminal: { field: 'storeId', list: 'stores', noun: 'Store', required: true },
  reader: { field: 'facilityId', list: 'facilities', noun: 'Facility', required: false },
  partner: { field: 'partnerId', list: 'partners', noun: 'Partner', required: true },
};

/** API keys for terminals, readers, devices, web trackers and partners. Store staff see and make their own store's terminal keys. */
export function ApiKeysPage() {
  const { staff } = useSession();
  const isAdmin = staff.role === 'admin';
  useDocumentTitle('API keys');
  const toast = useToast();
  const keys = useResource('api-keys', (signal) => adminApi.keys(signal));
  const orgs = useOrganisations(isAdmin);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);
  const newButton = useRef<HTMLButtonElement>(null);

  const items = keys.data?.items;
  const revokedCount = items?.filter((k) => k.revokedAt).length ?? 0;
  const visible = items?.filter((k) => showRevoked || !k.revokedAt);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          {!isAdmin && <p className="muted adm-lead">Terminal keys of your store. Each till or counter terminal gets its own key.</p>}
        </div>
        <button ref={newButton} type="button" className="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-key">
          New key
        </button>
      </div>

      <section className="card" aria-labelledby="keys-title">
        <div className="card-head">
          <h2 id="keys-title">Keys</h2>
          {items && <span className="count">{items.length - revokedCount} active</span>}
          {keys.loading && items && <Spinner inline label="Refreshing…" />}
          {revokedCount > 0 && (
            <label className="adm-check">
              <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
              Show {revokedCount} revoked
            </label>
          )}
        </div>
        {keys.error !== null && <ErrorMessage error={keys.error} onRetry={keys.reload} />}
        {!visible ? (
          keys.loading && <Spinner label="Loading keys…" />
        ) : visible.length === 0 ? (
          <div className="adm-empty">
            <p className="muted">{revokedCount ? 'Every key has been revoked.' : 'No keys yet.'}</p>
            <p className="hint">A terminal, reader, device or web site needs a key before it can send data.</p>
          </div>
        ) : (
          <table className="table table-stack adm-table" data-testid="keys">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Kind</th>
                <th scope="col">Key ID</th>
                {isAdmin && <th scope="col">Bound to</th>}
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Status and actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {visible.map((k) => (
                <tr key={k.id} className={k.revokedAt ? 'adm-row-off' : undefined} data-testid="key-row">
                  <td data-label="Label">
                    <span className="adm-name">{k.label}</span>
                  </td>
                  <td data-label="Kind">{KEY_KIND_LABELS[k.kind] ?? k.kind}</td>
                  <td data-label="Key ID" className="mono">
                    clk_{k.keyId}
                  </td>
                  {isAdmin && (
                    <td data-label="Bound to">
                      {k.storeId !== null ? (
                        <OrgName list={orgs.data?.stores} id={k.storeId} />
                      ) : k.facilityId !== null ? (
                        <OrgName list={orgs.data?.facilities} id={k.facilityId} />
                      ) : k.partnerId !== null ? (
                        <OrgName list={orgs.data?.partners} id={k.partnerId} />
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  )}
                  <td data-label="Created">
                    <time dateTime={k.createdAt}>{formatDateTime(k.createdAt)}</time>
                  </td>
                  <td data-label="Last used">
                    {k.lastUsedAt ? <time dateTime={k.lastUsedAt}>{formatDateTime(k.lastUsedAt)}</time> : <span className="muted">Never</span>}
                  </td>
                  <td className="cell-actions">
                    {k.revokedAt ? (
                      <span className="pill pill-no" title={`Revoked ${formatDateTime(k.revokedAt)}`}>
                        Revoked
                      </span>
                    ) : (
                      <button type="button" className="btn btn-small btn-quiet" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.label}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {creating && (
        <CreateKeyDialog
          isAdmin={isAdmin}
          orgs={orgs.data}
          orgsError={orgs.error}
          onClose={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setCreated(k);
            keys.reload();
          }}
        />
      )}
      {created && (
        <NewKeyDialog
          created={created}
          onClose={() => {
            setCreated(null);
            window.setTimeout(() => newButton.current?.focus(), 0);
          }}
        />
      )}
      {revoking && (
        <RevokeDialog
          apiKey={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            toast(`Key “${revoking.label}” revoked`);
            setRevoking(null);
            keys.reload();
          }}
        />
      )}
    </>
  );
}

interface CreateProps {
  isAdmin: boolean;
  orgs: Organisations | undefined;
  orgsError: unknown;
  onClose: () => void;
  onCreated: (k: CreatedApiKey) => void;
}

function CreateKeyDialog({ isAdmin, orgs, orgsError, onClose, onCreated }: CreateProps) {
  const [kind, setKind] = useState<KeyKind>(isAdmin ? 'device' : 'store_terminal');
  const [label, setLabel] = useState('');
  const [orgId, setOrgId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();
  // Store staff make terminal keys for their own store: the server binds them, so there is nothing to pick.
  const binding = isAdmin ? BINDING[kind] : undefined;
  const options = binding && orgs ? orgs[binding.list] : [];

  const focusFirst = (errs: Record<string, string>) => {
    const first = ['kind', 'label', 'org'].find((f) => errs[f]);
    if (first) window.setTimeout(() => formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus(), 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const errs: Record<string, string> = {};
    if (!label.trim()) errs.label = 'Give the key a label, e.g. where the device stands';
    if (binding?.required && !orgId) errs.org = `Choose the ${binding.noun.toLowerCase()}`;
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length) {
      focusFirst(errs);
      return;
    }
    const body: NewApiKey = { kind, label: label.trim() };
    if (binding && orgId) body[binding.field] = Number(orgId);
    setBusy(true);
    try {
      onCreated(await adminApi.createKey(body));
    } catch (err) {
      setBusy(false);
      const mapped: Record<string, string> = {};
      for (const [field, message] of Object.entries(fieldErrors(err))) {
        mapped[field === 'storeId' || field === 'facilityId' || field === 'partnerId' ? 'org' : field] = message;
      }
      setErrors(mapped);
      if (Object.keys(mapped).length) focusFirst(mapped);
      else setError(err);
    }
  };

  return (
    <Dialog title={isAdmin ? 'New API key' : 'New store terminal key'} onClose={onClose} busy={busy} testId="create-key-dialog">
      <form ref={formRef} onSubmit={submit} noValidate className="adm-form">
        <fieldset className="fieldset" disabled={busy}>
          {isAdmin && (
            <div className="field">
              <label htmlFor={`${id}-kind`}>Kind</label>
              <select
                id={`${id}-kind`}
                name="kind"
                value={kind}
                onChange={(e) => {
                  setKind(e.target.value as KeyKind);
                  setOrgId('');
                  setErrors({});
                }}
                aria-describedby={`${id}-kind-hint`}
              >
                {KEY_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KEY_KIND_LABELS[k]}
                  </option>
                ))}
              </select>
              <p id={`${id}-kind-hint`} className="hint">
                {KEY_KIND_HINTS[kind]}
              </p>
              <FieldError id={`${id}-kind`} field="kind" message={errors.kind} />
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-label`}>Label</label>
            <input
              id={`${id}-label`}
              name="label"
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              maxLength={100}
              autoComplete="off"
              placeholder={kind === 'tracker' ? 'e.g. Online shop' : 'e.g. Counter 2 terminal'}
              data-autofocus
              {...invalidProps(`${id}-label`, errors.label)}
            />
            <FieldError id={`${id}-label`} field="label" message={errors.label} />
          </div>
          {binding && (
            <div className="field">
              <label htmlFor={`${id}-org`}>
                {binding.noun} {!binding.required && <span className="muted adm-optional">(optional)</span>}
              </label>
              <select
                id={`${id}-org`}
                name="org"
                value={orgId}
                onChange={(e) => setOrgId(e.target.value)}
                disabled={!orgs}
                {...invalidProps(`${id}-org`, errors.org)}
              >
                <option value="">{!orgs ? 'Loading…' : binding.required ? `Choose a ${binding.noun.toLowerCase()}…` : 'None'}</option>
                {options.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name} ({o.code})
                  </option>
                ))}
              </select>
              <FieldError id={`${id}-org`} field="org" message={errors.org} />
              {orgsError !== null && <ErrorMessage error={orgsError} />}
              {orgs && options.length === 0 && binding.required && (
                <p className="hint">
                  There is no {binding.noun.toLowerCase()} yet. <Link to="/admin/organisations">Add one under Organisations</Link> first.
                </p>
              )}
            </div>
          )}
        </fieldset>
        {error !== null && <ErrorMessage error={error} />}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** The secret, once: Copy puts it on the clipboard; after "Done" it is gone from the page. */
function NewKeyDialog({ created, onClose }: { created: CreatedApiKey; onClose: () => void }) {
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const field = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('yes');
    } catch {
      // No clipboard (plain http, or permission refused): select it for Ctrl+C instead.
      field.current?.focus();
      field.current?.select();
      setCopied('failed');
    }
  };

  return (
    // Escape does not close it: the key must not vanish by accident.
    <Dialog title="Copy the new key now" onClose={onClose} busy testId="new-key-dialog">
      <div className="alert reg-alert-warn" role="note">
        <span>
          <strong>This key will not be shown again.</strong> Store it where the {KEY_KIND_LABELS[created.kind]?.toLowerCase() ?? 'client'}{' '}
          can read it. If it is lost, revoke it and create another.
        </span>
      </div>
      <div className="field">
        <label htmlFor={`${id}-key`}>
          Key for “{created.label}”
        </label>
        <div className="adm-secret">
          <textarea
            ref={field}
            id={`${id}-key`}
            className="mono"
            readOnly
            rows={2}
            value={created.key}
            onFocus={(e) => e.currentTarget.select()}
            data-testid="new-key-value"
            spellCheck={false}
          />
          <button type="button" className="btn btn-primary" onClick={copy} data-autofocus>
            {copied === 'yes' ? 'Copied' : 'Copy'}
          </button>
        </div>
        <p className="hint" role="status">
          {copied === 'yes'
            ? 'The key is on the clipboard.'
            : copied === 'failed'
              ? 'The browser would not copy it: the key is selected, press Ctrl+C (⌘C on a Mac).'
              : `Send it as “Authorization: Bearer <key>” to the ${created.surface} surface.`}
        </p>
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          Done, I have stored it
        </button>
      </div>
    </Dialog>
  );
}

function RevokeDialog({ apiKey, onClose, onRevoked }: { apiKey: ApiKey; onClose: () => void; onRevoked: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await adminApi.revokeKey(apiKey.id);
      onRevoked();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Revoke “${apiKey.label}”?`} onClose={onClose} busy={busy} testId="revoke-key-dialog">
      <p>
        Whatever uses key <span className="mono">clk_{apiKey.keyId}</span> ({KEY_KIND_LABELS[apiKey.kind] ?? apiKey.kind}) is refused from
        now on. This cannot be undone; a new key can be created instead.
      </p>
      {error !== null && <ErrorMessage error={error} />}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy} data-autofocus>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" onClick={revoke} disabled={busy}>
          {busy ? 'Revoking…' : 'Revoke key'}
        </button>
      </div>
    </Dialog>
  );
}
