import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api';
import { FIELD_LABELS, formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { adminApi, fieldErrors, PARTNER_FIELDS, type NewOrganisation, type Organisation, type OrgKind } from '../../admin-api';
import { ErrorMessage, Spinner, useToast } from '../../components/ui';
import { FieldError, invalidProps } from './shared';

const CODE = /^[A-Za-z0-9_-]{1,32}$/;

const KINDS: { kind: OrgKind; title: string; noun: string; hint: string }[] = [
  { kind: 'stores', title: 'Stores', noun: 'store', hint: 'Member stores of the coalition. Store staff and store terminal keys belong to one.' },
  { kind: 'facilities', title: 'Facilities', noun: 'facility', hint: 'Places with card readers. Facility staff and reader keys belong to one.' },
  { kind: 'partners', title: 'Partners', noun: 'partner', hint: 'Partner companies. They read only the customer fields granted here.' },
];

const PARTNER_FIELD_LABELS: Record<string, string> = {
  ...FIELD_LABELS,
  registrationNo: 'Registration no.',
  rank: 'Rank',
};
const partnerFieldLabel = (f: string) => PARTNER_FIELD_LABELS[f] ?? f;

/** Stores, facilities and partners: the organisations staff accounts and API keys are bound to. */
export function OrganisationsPage() {
  useDocumentTitle('Organisations');
  return (
    <>
      <div className="page-head">
        <h1>Organisations</h1>
      </div>
      <div className="adm-orgs">
        {KINDS.map((k) => (
          <OrganisationList key={k.kind} {...k} />
        ))}
      </div>
    </>
  );
}

function OrganisationList({ kind, title, noun, hint }: (typeof KINDS)[number]) {
  const list = useResource(`orgs:${kind}`, (signal) => adminApi.organisations(kind, signal));
  const [adding, setAdding] = useState(false);
  const [highlight, setHighlight] = useState<number | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  const toast = useToast();
  const id = useId();
  const items = list.data?.items;

  return (
    <section className={`card adm-org adm-org-${kind}`} aria-labelledby={`${id}-title`} data-testid={`orgs-${kind}`}>
      <div className="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {items && <span className="count">{items.length}</span>}
        {list.loading && items && <Spinner inline label="Refreshing…" />}
        {!adding && (
          <button ref={addButton} type="button" className="btn btn-small" onClick={() => setAdding(true)} aria-label={`Add a ${noun}`}>
            Add {noun}
          </button>
        )}
      </div>
      <p className="hint adm-org-hint">{hint}</p>
      {list.error !== null && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {!items ? (
        list.loading && <Spinner label={`Loading ${title.toLowerCase()}…`} />
      ) : items.length === 0 ? (
        <p className="muted">No {title.toLowerCase()} yet.</p>
      ) : (
        <table className="table table-stack adm-table">
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              {kind === 'partners' && <th scope="col">Granted fields</th>}
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {items.map((o) => (
              <tr key={o.id} className={highlight === o.id ? 'adm-row-new' : undefined}>
                <td data-label="Code" className="mono">
                  {o.code}
                </td>
                <td data-label="Name">{o.name}</td>
                {kind === 'partners' && (
                  <td data-label="Granted fields">
                    {o.grantedFields?.length ? (
                      <ul className="adm-chips" aria-label={`Fields granted to ${o.name}`}>
                        {o.grantedFields.map((f) => (
                          <li key={f}>{partnerFieldLabel(f)}</li>
                        ))}
                      </ul>
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                )}
                <td data-label="Created">
                  <time dateTime={o.createdAt}>{formatDateTime(o.createdAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adding && (
        <AddOrganisation
          kind={kind}
          noun={noun}
          onCancel={() => {
            setAdding(false);
            window.setTimeout(() => addButton.current?.focus(), 0);
          }}
          onAdded={(org) => {
            setAdding(false);
            setHighlight(org.id);
            toast(`${noun[0]!.toUpperCase()}${noun.slice(1)} ${org.name} added`);
            list.reload();
            window.setTimeout(() => addButton.current?.focus(), 0);
          }}
        />
      )}
    </section>
  );
}

interface AddProps {
  kind: OrgKind;
  noun: string;
  onCancel: () => void;
  onAdded: (org: Organisation) => void;
}

function AddOrganisation({ kind, noun, onCancel, onAdded }: AddProps) {
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [granted, setGranted] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();

  const focusFirst = (errs: Record<string, string>) => {
    const first = ['code', 'name', 'grantedFields'].find((f) => errs[f]);
    if (first) window.setTimeout(() => formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus(), 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const errs: Record<string, string> = {};
    if (!CODE.test(code.trim())) errs.code = 'Use 1–32 letters, digits, _ or -';
    if (!name.trim()) errs.name = 'Enter a name';
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length) {
      focusFirst(errs);
      return;
    }
    const body: NewOrganisation = { code: code.trim(), name: name.trim() };
    if (kind === 'partners') body.grantedFields = PARTNER_FIELDS.filter((f) => granted.includes(f));
    setBusy(true);
    try {
      onAdded(await adminApi.createOrganisation(kind, body));
    } catch (err) {
      setBusy(false);
      const mapped = fieldErrors(err);
      if (err instanceof ApiError && err.code === 'code_taken') mapped.code = `Another ${noun} has this code. Choose another.`;
      setErrors(mapped);
      if (Object.keys(mapped).length) focusFirst(mapped);
      else setError(err);
    }
  };

  const toggle = (f: string, on: boolean) => setGranted((g) => (on ? [...g, f] : g.filter((x) => x !== f)));

  return (
    <form ref={formRef} className="adm-add" onSubmit={submit} noValidate aria-label={`Add a ${noun}`} data-testid={`add-${kind}`}>
      <fieldset className="fieldset" disabled={busy}>
        <legend>New {noun}</legend>
        <div className="adm-add-fields">
          <div className="field">
            <label htmlFor={`${id}-code`}>Code</label>
            <input
              id={`${id}-code`}
              name="code"
              className="mono"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              maxLength={32}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="none"
              placeholder={kind === 'stores' ? 'shibuya' : kind === 'facilities' ? 'gym-01' : 'acme'}
              autoFocus
              {...invalidProps(`${id}-code`, errors.code)}
            />
            <FieldError id={`${id}-code`} field="code" message={errors.code} />
          </div>
          <div className="field field-grow">
            <label htmlFor={`${id}-name`}>Name</label>
            <input
              id={`${id}-name`}
              name="name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={200}
              autoComplete="off"
              {...invalidProps(`${id}-name`, errors.name)}
            />
            <FieldError id={`${id}-name`} field="name" message={errors.name} />
          </div>
        </div>
        {kind === 'partners' && (
          <fieldset className="fieldset adm-grants" aria-describedby={`${id}-grants-hint`}>
            <legend>Fields the partner may read</legend>
            <p id={`${id}-grants-hint`} className="hint">
              Grant only what the partner needs. Customers’ other fields stay hidden from it.
            </p>
            <div className="adm-grant-list">
              {PARTNER_FIELDS.map((f, i) => (
                <label key={f} className="adm-check">
                  <input
                    type="checkbox"
                    name={i === 0 ? 'grantedFields' : undefined}
                    checked={granted.includes(f)}
                    onChange={(e) => toggle(f, e.target.checked)}
                  />
                  {partnerFieldLabel(f)}
                </label>
              ))}
            </div>
            <div className="adm-grant-tools">
              <button type="button" className="btn btn-small btn-quiet" onClick={() => setGranted([...PARTNER_FIELDS])}>
                Select all
              </button>
              <button type="button" className="btn btn-small btn-quiet" onClick={() => setGranted([])}>
                Select none
              </button>
            </div>
            <FieldError id={`${id}-grants`} field="grantedFields" message={errors.grantedFields} />
          </fieldset>
        )}
      </fieldset>
      {error !== null && <ErrorMessage error={error} />}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Adding…' : `Add ${noun}`}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
