import { useId, type ReactNode } from 'react';
import type { Criterion } from '../../messaging-api';
import { paramSpecs, type ParamSpec, type Raw } from './schema-params';

export interface RowState {
  key: number;
  criterion: string;
  negate: boolean;
  raw: Raw;
}

interface Props {
  index: number;
  row: RowState;
  criteria: Criterion[];
  /** Problems by parameter name (and `criterion` for the criterion itself). */
  problems: Record<string, string>;
  /** Only show "Required" once the person has touched the row or tried to save. */
  showRequired: boolean;
  disabled: boolean;
  onCriterion: (name: string) => void;
  onParam: (name: string, value: string) => void;
  onNegate: (negate: boolean) => void;
  onRemove: () => void;
}

/** One criterion of a segment: which criterion, its parameters, and "not". */
export function CriterionRow({ index, row, criteria, problems, showRequired, disabled, onCriterion, onParam, onNegate, onRemove }: Props) {
  const id = useId();
  const criterion = criteria.find((c) => c.name === row.criterion);
  const specs = criterion ? paramSpecs(criterion.params) : [];
  const problemOf = (name: string) => {
    const p = problems[name];
    return p === 'Required' && !showRequired ? undefined : p;
  };

  return (
    <fieldset className={`msg-criterion${row.negate ? ' is-negated' : ''}`} disabled={disabled} data-testid="criterion-row" data-criterion={row.criterion}>
      <legend className="visually-hidden">Criterion {index + 1}</legend>
      <div className="msg-criterion-grid">
        <div className="field msg-criterion-pick">
          <label htmlFor={`${id}-criterion`}>Criterion</label>
          <select
            id={`${id}-criterion`}
            value={row.criterion}
            onChange={(e) => onCriterion(e.target.value)}
            aria-describedby={criterion ? `${id}-description` : undefined}
            aria-invalid={problems.criterion ? true : undefined}
          >
            {!criterion && <option value={row.criterion}>{row.criterion} (unknown)</option>}
            {groups(criteria).map(([module, items]) => (
              <optgroup key={module} label={moduleLabel(module)}>
                {items.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          {problems.criterion && <p className="field-error">{problems.criterion}</p>}
        </div>
        {specs.map((spec) => (
          <ParamInputField
            key={spec.name}
            id={`${id}-${spec.name}`}
            spec={spec}
            value={row.raw[spec.name] ?? ''}
            problem={problemOf(spec.name)}
            onChange={(v) => onParam(spec.name, v)}
          />
        ))}
      </div>
      {criterion && (
        <p id={`${id}-description`} className="hint msg-criterion-description">
          {criterion.description}
        </p>
      )}
      {problems[''] && <p className="field-error">{problems['']}</p>}
      <div className="msg-criterion-foot">
        <label className="msg-check">
          <input type="checkbox" checked={row.negate} onChange={(e) => onNegate(e.target.checked)} data-testid="criterion-negate" />
          <span>
            Not <span className="muted">(exclude customers who match this)</span>
          </span>
        </label>
        <button type="button" className="btn btn-small btn-quiet" onClick={onRemove}>
          Remove<span className="visually-hidden"> criterion {index + 1}</span>
        </button>
      </div>
    </fieldset>
  );
}

function ParamInputField({ id, spec, value, problem, onChange }: { id: string; spec: ParamSpec; value: string; problem?: string; onChange: (v: string) => void }) {
  const described = [problem ? `${id}-error` : null, spec.hint && !problem ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    'aria-invalid': problem ? (true as const) : undefined,
    'aria-describedby': described,
    'aria-required': spec.required || undefined,
    'data-param': spec.name,
  };
  const input = spec.input;
  let control: ReactNode;
  if (input.kind === 'boolean') {
    return (
      <div className="field msg-param msg-param-check">
        <label className="msg-check">
          <input type="checkbox" {...common} checked={value === 'true'} onChange={(e) => onChange(e.target.checked ? 'true' : '')} />
          <span>{spec.label}</span>
        </label>
      </div>
    );
  }
  if (input.kind === 'select') {
    control = (
      <select {...common} value={value} onChange={(e) => onChange(e.target.value)}>
        {!spec.required && <option value="">Any</option>}
        {spec.required && value === '' && <option value="">Choose…</option>}
        {input.options.map((o) => (
          <option key={String(o.value)} value={String(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (input.kind === 'integer' || input.kind === 'number') {
    control = (
      <input
        {...common}
        type="number"
        inputMode={input.kind === 'integer' ? 'numeric' : 'decimal'}
        step={input.kind === 'integer' ? 1 : 'any'}
        min={input.min}
        max={input.max}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    control = (
      <input
        {...common}
        type="text"
        autoComplete="off"
        maxLength={input.kind === 'text' ? input.maxLength : undefined}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="field msg-param">
      <label htmlFor={id}>
        {spec.label}
        {!spec.required && <span className="muted msg-optional"> optional</span>}
      </label>
      {control}
      {problem && (
        <p id={`${id}-error`} className="field-error">
          {problem}
        </p>
      )}
      {spec.hint && !problem && (
        <p id={`${id}-hint`} className="hint">
          {spec.hint}
        </p>
      )}
    </div>
  );
}

const MODULE_LABELS: Record<string, string> = { customers: 'Customer', messaging: 'Messages', registration: 'Registration' };
const moduleLabel = (m: string) => MODULE_LABELS[m] ?? m.charAt(0).toUpperCase() + m.slice(1);

function groups(criteria: Criterion[]): [string, Criterion[]][] {
  const map = new Map<string, Criterion[]>();
  for (const c of criteria) map.set(c.module, [...(map.get(c.module) ?? []), c]);
  return [...map];
}
