import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api';
import { FIELD_LABELS, PREFECTURES } from '../format';
import { PERSONAL_FIELDS, type Personal, type PersonalField } from '../types';
import { ErrorMessage } from './ui';

type Values = Record<PersonalField, string>;

interface FieldSpec {
  field: PersonalField;
  type?: string;
  autoComplete?: string;
  inputMode?: 'text' | 'email' | 'tel' | 'numeric';
  placeholder?: string;
  wide?: boolean;
}

const GROUPS: { legend: string; fields: FieldSpec[] }[] = [
  {
    legend: 'Person',
    fields: [
      { field: 'name', autoComplete: 'off', placeholder: '山田 太郎' },
      { field: 'nameReading', autoComplete: 'off', placeholder: 'やまだ たろう' },
      { field: 'nickname', autoComplete: 'off' },
      { field: 'birthDate', type: 'date', autoComplete: 'off' },
      { field: 'occupation', autoComplete: 'off' },
    ],
  },
  {
    legend: 'Contact',
    fields: [
      { field: 'email', type: 'email', inputMode: 'email', autoComplete: 'off' },
      { field: 'phone', type: 'tel', inputMode: 'tel', autoComplete: 'off', placeholder: '090-1234-5678' },
    ],
  },
  {
    legend: 'Address',
    fields: [
      { field: 'postalCode', inputMode: 'numeric', autoComplete: 'off', placeholder: '100-0001' },
      { field: 'prefecture', autoComplete: 'off' },
      { field: 'city', autoComplete: 'off' },
      { field: 'addressLine1', autoComplete: 'off', wide: true },
      { field: 'addressLine2', autoComplete: 'off', wide: true },
    ],
  },
];

const toValues = (p: Personal | undefined): Values =>
  Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, p?.[f] ?? ''])) as Values;

/** `personal.email`, `/email` or `email` → `email`, when it is one of the form's fields. */
function fieldOf(name: string): PersonalField | null {
  const last = name.split(/[./]/).filter(Boolean).pop() ?? '';
  return (PERSONAL_FIELDS as readonly string[]).includes(last) ? (last as PersonalField) : null;
}

interface Props {
  /** The current values when editing; absent when creating a customer. */
  initial?: Personal;
  /** Starting values when creating (e.g. the name typed into the search). */
  defaults?: Personal;
  submitLabel: string;
  /** Receives only the changed fields when editing (null clears one), the filled-in ones when creating. */
  onSubmit: (changes: Partial<Personal>) => Promise<void>;
  onCancel: () => void;
}

export function PersonalForm({ initial, defaults, submitLabel, onSubmit, onCancel }: Props) {
  const [values, setValues] = useState<Values>(() => toValues(initial ?? defaults));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<PersonalField, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const idBase = useId();
  const listId = `${idBase}-prefectures`;

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);

  const changes = (): Partial<Personal> => {
    const out: Partial<Personal> = {};
    for (const f of PERSONAL_FIELDS) {
      const v = values[f].trim();
      const next = v === '' ? null : v;
      if (initial ? next !== (initial[f] ?? null) : next !== null) out[f] = next;
    }
    return out;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const body = changes();
    if (initial && Object.keys(body).length === 0) {
      onCancel();
      return;
    }
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      await onSubmit(body);
    } catch (err) {
      setBusy(false);
      const byField: Partial<Record<PersonalField, string>> = {};
      const rest: string[] = [];
      if (err instanceof ApiError) {
        for (const p of err.fields) {
          const f = fieldOf(p.field);
          if (f) byField[f] = byField[f] ? `${byField[f]}; ${p.message}` : p.message;
          else rest.push(`${p.field}: ${p.message}`);
        }
      }
      setFieldErrors(byField);
      const hasFieldErrors = Object.keys(byField).length > 0;
      setError(hasFieldErrors && rest.length === 0 ? new Error('Please correct the marked fields.') : err);
      const first = PERSONAL_FIELDS.find((f) => byField[f]);
      if (first) formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    setBusy(false);
  };

  return (
    <form ref={formRef} className="personal-form" onSubmit={submit} noValidate data-testid="personal-form">
      {GROUPS.map((group) => (
        <fieldset key={group.legend} className="fieldset" disabled={busy}>
          <legend>{group.legend}</legend>
          <div className="form-grid">
            {group.fields.map((spec) => {
              const id = `${idBase}-${spec.field}`;
              const err = fieldErrors[spec.field];
              return (
                <div key={spec.field} className={`field${spec.wide ? ' field-wide' : ''}${err ? ' field-invalid' : ''}`}>
                  <label htmlFor={id}>{FIELD_LABELS[spec.field]}</label>
                  <input
                    id={id}
                    name={spec.field}
                    type={spec.type ?? 'text'}
                    inputMode={spec.inputMode}
                    autoComplete={spec.autoComplete}
                    placeholder={spec.placeholder}
                    list={spec.field === 'prefecture' ? listId : undefined}
                    value={values[spec.field]}
                    aria-invalid={err ? true : undefined}
                    aria-describedby={err ? `${id}-error` : undefined}
                    onChange={(e) => setValues((v) => ({ ...v, [spec.field]: e.target.value }))}
                  />
                  {err && (
                    <p id={`${id}-error`} className="field-error" data-testid={`field-error-${spec.field}`}>
                      {err}
                    </p>
                  )}
                </div>
              );
            })}
          </div>
        </fieldset>
      ))}
      <datalist id={listId}>
        {PREFECTURES.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      {error !== null && <ErrorMessage error={error} />}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        <button type="button" className="btn" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
