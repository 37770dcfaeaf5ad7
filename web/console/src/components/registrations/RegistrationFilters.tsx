import { useEffect, useId, useState, type FormEvent } from 'react';
import { CATEGORIES, CATEGORY_LABELS, REGISTRATION_FILTERS, type RegistrationFilter } from '../../admin-api';

interface Props {
  /** The filter in the URL. */
  value: RegistrationFilter;
  onApply: (filter: RegistrationFilter) => void;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function clean(f: RegistrationFilter): RegistrationFilter {
  const out: RegistrationFilter = {};
  for (const k of REGISTRATION_FILTERS) {
    const v = f[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

/** Category, model, registration dates and serial prefix; applied with the Filter button or Enter. */
export function RegistrationFilters({ value, onApply }: Props) {
  const [draft, setDraft] = useState<RegistrationFilter>(value);
  const [problem, setProblem] = useState<{ field: 'from' | 'to'; message: string } | null>(null);
  const id = useId();
  const valueKey = JSON.stringify(value);

  // Back/forward or a chart bar changed the URL: show what is applied.
  useEffect(() => {
    setDraft(JSON.parse(valueKey) as RegistrationFilter);
    setProblem(null);
  }, [valueKey]);

  const set = (key: keyof RegistrationFilter, v: string) => setDraft((d) => ({ ...d, [key]: v }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = clean(draft);
    for (const k of ['from', 'to'] as const) {
      if (next[k] && !DATE.test(next[k]!)) {
        setProblem({ field: k, message: 'Use a date like 2026-04-01' });
        return;
      }
    }
    if (next.from && next.to && next.from > next.to) {
      setProblem({ field: 'to', message: 'Must not be before “From”' });
      return;
    }
    setProblem(null);
    onApply(next);
  };

  const active = Object.keys(clean(value)).length > 0;
  const err = (field: 'from' | 'to') =>
    problem?.field === field ? (
      <p id={`${id}-${field}-error`} className="field-error">
        {problem.message}
      </p>
    ) : null;

  return (
    <form className="card reg-filters" role="search" aria-label="Filter registrations" onSubmit={submit} data-testid="registration-filters">
      <div className="field">
        <label htmlFor={`${id}-category`}>Category</label>
        <select id={`${id}-category`} value={draft.category ?? ''} onChange={(e) => set('category', e.target.value)}>
          <option value="">All categories</option>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-model`}>Model</label>
        <input
          id={`${id}-model`}
          value={draft.model ?? ''}
          onChange={(e) => set('model', e.target.value)}
          placeholder="Starts with…"
          autoComplete="off"
          maxLength={100}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-from`}>Registered from</label>
        <input
          id={`${id}-from`}
          type="date"
          value={draft.from ?? ''}
          onChange={(e) => set('from', e.target.value)}
          aria-invalid={problem?.field === 'from' ? true : undefined}
          aria-describedby={problem?.field === 'from' ? `${id}-from-error` : undefined}
        />
        {err('from')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-to`}>Registered to</label>
        <input
          id={`${id}-to`}
          type="date"
          value={draft.to ?? ''}
          min={draft.from || undefined}
          onChange={(e) => set('to', e.target.value)}
          aria-invalid={problem?.field === 'to' ? true : undefined}
          aria-describedby={problem?.field === 'to' ? `${id}-to-error` : undefined}
        />
        {err('to')}
      </div>
      <div className="field">
        <label htmlFor={`${id}-serial`}>Serial</label>
        <input
          id={`${id}-serial`}
          className="mono"
          value={draft.serial ?? ''}
          onChange={(e) => set('serial', e.target.value)}
          placeholder="Starts with…"
          autoComplete="off"
          spellCheck={false}
          maxLength={120}
        />
      </div>
      <div className="reg-filter-actions">
        <button type="submit" className="btn btn-primary">
          Filter
        </button>
        {active && (
          <button type="button" className="btn btn-quiet" onClick={() => onApply({})}>
            Clear
          </button>
        )}
      </div>
    </form>
  );
}
