import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api';
import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { Link } from '../../router';
import { useSession } from '../../session';
import { adminApi, fieldErrors, type NewStaff, type StaffAccount } from '../../admin-api';
import type { StaffRole } from '../../types';
import { Dialog } from '../../components/Dialog';
import { ErrorMessage, Spinner, useToast } from '../../components/ui';
import { FieldError, invalidProps, OrgName, ROLE_HINTS, ROLE_LABELS, useOrganisations, type Organisations } from './shared';

const ROLES: StaffRole[] = ['admin', 'sales', 'store', 'facility', 'partner'];
const USERNAME = /^[A-Za-z0-9._@-]{3,64}$/;
const MIN_PASSWORD = 8;

/** Which organisation a role is bound to, and the request field that carries it. */
const BINDING: Partial<Record<StaffRole, { field: 'storeId' | 'facilityId' | 'partnerId'; list: keyof Organisations; noun: string }>> = {
  store: { field: 'storeId', list: 'stores', noun: 'Store' },
  facility: { field: 'facilityId', list: 'facilities', noun: 'Facility' },
  partner: { field: 'partnerId', list: 'partners', noun: 'Partner' },
};

/** Staff accounts: who may log in to the console or the partner surface, with which role. */
export function StaffPage() {
  useDocumentTitle('Staff');
  const { staff: me } = useSession();
  const toast = useToast();
  const staff = useResource('staff', (signal) => adminApi.staff(signal));
  const orgs = useOrganisations();
  const [creating, setCreating] = useState(false);
  const [disabling, setDisabling] = useState<StaffAccount | null>(null);
  const [enabling, setEnabling] = useState<number | null>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [highlight, setHighlight] = useState<number | null>(null);

  const enable = async (s: StaffAccount) => {
    setEnabling(s.id);
    setRowError(null);
    try {
      await adminApi.enableStaff(s.id);
      toast(`${s.displayName} can log in again`);
      staff.reload();
    } catch (err) {
      setRowError(err);
    } finally {
      setEnabling(null);
    }
  };

  const items = staff.data?.items;
  const active = items?.filter((s) => !s.disabled).length ?? 0;

  return (
    <>
      <div className="page-head">
        <h1>Staff</h1>
        <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} data-testid="new-staff">
          New staff account
        </button>
      </div>

      <section className="card" aria-labelledby="staff-title">
        <div className="card-head">
          <h2 id="staff-title">Accounts</h2>
          {items && (
            <span className="count" title={`${active} active`}>
              {items.length}
            </span>
          )}
          {staff.loading && items && <Spinner inline label="Refreshing…" />}
        </div>
        {staff.error !== null && <ErrorMessage error={staff.error} onRetry={staff.reload} />}
        {rowError !== null && <ErrorMessage error={rowError} />}
        {!items ? (
          staff.loading && <Spinner label="Loading staff…" />
        ) : items.length === 0 ? (
          <p className="muted">No staff accounts.</p>
        ) : (
          <table className="table table-stack adm-table" data-testid="staff-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Bound to</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id} className={`${s.disabled ? 'adm-row-off' : ''}${highlight === s.id ? ' adm-row-new' : ''}`} data-testid="staff-row">
                  <td data-label="Name">
                    <div>
                      <span className="adm-name">{s.displayName}</span>
                      <span className="mono muted adm-sub">{s.username}</span>
                    </div>
                  </td>
                  <td data-label="Role">
                    <span className={`adm-role adm-role-${s.role}`}>{ROLE_LABELS[s.role] ?? s.role}</span>
                  </td>
                  <td data-label="Bound to">
                    {s.storeId !== null ? (
                      <OrgName list={orgs.data?.stores} id={s.storeId} />
                    ) : s.facilityId !== null ? (
                      <OrgName list={orgs.data?.facilities} id={s.facilityId} />
                    ) : s.partnerId !== null ? (
                      <OrgName list={orgs.data?.partners} id={s.partnerId} />
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td data-label="Status">
                    {s.disabled ? <span className="pill pill-no">Disabled</span> : <span className="pill pill-yes">Active</span>}
                  </td>
                  <td data-label="Created">
                    <time dateTime={s.createdAt}>{formatDateTime(s.createdAt)}</time>
                  </td>
                  <td className="cell-actions">
                    {s.id === me.id ? (
                      <span className="muted adm-you">You</span>
                    ) : s.disabled ? (
                      <button
                        type="button"
                        className="btn btn-small"
                        onClick={() => enable(s)}
                        disabled={enabling === s.id}
                        aria-label={`Enable ${s.username}`}
                      >
                        {enabling === s.id ? 'Enabling…' : 'Enable'}
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-small btn-quiet"
                        onClick={() => {
                          setRowError(null);
                          setDisabling(s);
                        }}
                        aria-label={`Disable ${s.username}`}
                      >
                        Disable
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
        <CreateStaffDialog
          orgs={orgs.data}
          orgsError={orgs.error}
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            setCreating(false);
            setHighlight(created.id);
            toast(`Account ${created.username} created`);
            staff.reload();
          }}
        />
      )}
      {disabling && (
        <DisableDialog
          account={disabling}
          onClose={() => setDisabling(null)}
          onDisabled={() => {
            toast(`${disabling.displayName} is disabled and logged out`);
            setDisabling(null);
            staff.reload();
          }}
        />
      )}
    </>
  );
}

function DisableDialog({ account, onClose, onDisabled }: { account: StaffAccount; onClose: () => void; onDisabled: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const disable = async () => {
    setBusy(true);
    setError(null);
    try {
      await adminApi.disableStaff(account.id);
      onDisabled();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Disable ${account.displayName}?`} onClose={onClose} busy={busy} testId="disable-staff-dialog">
      <p>
        <span className="mono">{account.username}</span> is logged out everywhere at once and cannot log in until the account is
        enabled again. Nothing they did is removed.
      </p>
      {error !== null && <ErrorMessage error={error} />}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy} data-autofocus>
          Cancel
        </button>
        <button type="button" className="btn btn-danger" onClick={disable} disabled={busy}>
          {busy ? 'Disabling…' : 'Disable account'}
        </button>
      </div>
    </Dialog>
  );
}

interface CreateProps {
  orgs: Organisations | undefined;
  orgsError: unknown;
  onClose: () => void;
  onCreated: (s: StaffAccount) => void;
}

function CreateStaffDialog({ orgs, orgsError, onClose, onCreated }: CreateProps) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [showPassword, setShowPassword] = useState(false);
  const [role, setRole] = useState<StaffRole>('sales');
  const [orgId, setOrgId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const id = useId();
  const binding = BINDING[role];
  const options = binding && orgs ? orgs[binding.list] : [];

  const focusFirst = (errs: Record<string, string>) => {
    const first = ['username', 'displayName', 'password', 'role', 'org'].find((f) => errs[f]);
    if (first) window.setTimeout(() => formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus(), 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const errs: Record<string, string> = {};
    if (!USERNAME.test(username.trim())) errs.username = 'Use 3–64 letters, digits or . _ @ -';
    if (password.length < MIN_PASSWORD) errs.password = `Use at least ${MIN_PASSWORD} characters`;
    if (binding && !orgId) errs.org = `Choose the ${binding.noun.toLowerCase()} this account belongs to`;
    setErrors(errs);
    setError(null);
    if (Object.keys(errs).length) {
      focusFirst(errs);
      return;
    }
    const body: NewStaff = { username: username.trim(), password, role };
    if (displayName.trim()) body.displayName = displayName.trim();
    if (binding) body[binding.field] = Number(orgId);
    setBusy(true);
    try {
      onCreated(await adminApi.createStaff(body));
    } catch (err) {
      setBusy(false);
      const server = fieldErrors(err);
      const mapped: Record<string, string> = {};
      for (const [field, message] of Object.entries(server)) {
        const name = field === 'storeId' || field === 'facilityId' || field === 'partnerId' ? 'org' : field;
        mapped[name] = message;
      }
      if (err instanceof ApiError && err.code === 'username_taken') mapped.username = 'This username is taken. Choose another.';
      setErrors(mapped);
      if (Object.keys(mapped).length) focusFirst(mapped);
      else setError(err);
    }
  };

  return (
    <Dialog title="New staff account" onClose={onClose} busy={busy} testId="new-staff-dialog">
      <form ref={formRef} onSubmit={submit} noValidate className="adm-form">
        <fieldset className="fieldset" disabled={busy}>
          <div className="field">
            <label htmlFor={`${id}-username`}>Username</label>
            <input
              id={`${id}-username`}
              name="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="none"
              maxLength={64}
              data-autofocus
              {...invalidProps(`${id}-username`, errors.username)}
            />
            <FieldError id={`${id}-username`} field="username" message={errors.username} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-displayName`}>
              Display name <span className="muted adm-optional">(optional)</span>
            </label>
            <input
              id={`${id}-displayName`}
              name="displayName"
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
              autoComplete="off"
              maxLength={100}
              placeholder="Shown in the header and the audit trail"
              {...invalidProps(`${id}-displayName`, errors.displayName)}
            />
            <FieldError id={`${id}-displayName`} field="displayName" message={errors.displayName} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-password`}>Password</label>
            <div className="adm-password">
              <input
                id={`${id}-password`}
                name="password"
                type={showPassword ? 'text' : 'password'}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                autoComplete="new-password"
                maxLength={200}
                {...invalidProps(`${id}-password`, errors.password)}
              />
              <button
                type="button"
                className="btn btn-small btn-quiet"
                aria-pressed={showPassword}
                onClick={() => setShowPassword((v) => !v)}
              >
                {showPassword ? 'Hide' : 'Show'}
              </button>
            </div>
            {errors.password ? (
              <FieldError id={`${id}-password`} field="password" message={errors.password} />
            ) : (
              <p className="hint">At least {MIN_PASSWORD} characters. Tell it to the person by a safe route.</p>
            )}
          </div>
          <div className="field">
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              name="role"
              value={role}
              onChange={(e) => {
                setRole(e.target.value as StaffRole);
                setOrgId('');
                setErrors(({ org: _org, ...rest }) => rest);
              }}
              aria-describedby={`${id}-role-hint`}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABELS[r]}
                </option>
              ))}
            </select>
            <p id={`${id}-role-hint`} className="hint">
              {ROLE_HINTS[role]}
            </p>
            <FieldError id={`${id}-role`} field="role" message={errors.role} />
          </div>
          {binding && (
            <div className="field">
              <label htmlFor={`${id}-org`}>{binding.noun}</label>
              <select
                id={`${id}-org`}
                name="org"
                value={orgId}
                onChange={(e) => setOrgId(e.target.value)}
                disabled={!orgs || options.length === 0}
                {...invalidProps(`${id}-org`, errors.org)}
              >
                <option value="">{orgs ? `Choose a ${binding.noun.toLowerCase()}…` : 'Loading…'}</option>
                {options.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name} ({o.code})
                  </option>
                ))}
              </select>
              <FieldError id={`${id}-org`} field="org" message={errors.org} />
              {orgsError !== null && <ErrorMessage error={orgsError} />}
              {orgs && options.length === 0 && (
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
            {busy ? 'Creating…' : 'Create account'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
