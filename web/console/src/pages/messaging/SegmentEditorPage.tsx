import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api';
import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { messagingApi, messagingPaths, type Criterion, type Segment, type SegmentDefinition } from '../../messaging-api';
import { Link, navigate } from '../../router';
import { CriterionRow, type RowState } from '../../components/messaging/CriterionRow';
import { LiveCount } from '../../components/messaging/LiveCount';
import { defaultRaw, paramSpecs, paramsOf, rawOf } from '../../components/messaging/schema-params';
import { FieldError, SectionHead } from '../../components/messaging/ui';
import { ErrorMessage, Spinner, useFocusOnMount, useToast } from '../../components/ui';

export function SegmentEditorPage({ id }: { id: number | null }) {
  const segment = useResource(`segment:${id ?? 'new'}`, (signal) =>
    id === null ? Promise.resolve(null) : messagingApi.segment(id, signal),
  );
  const criteria = useResource('criteria', (signal) => messagingApi.criteria(signal));
  useDocumentTitle(id === null ? 'New segment' : segment.data ? segment.data.name : `Segment ${id}`);

  const breadcrumb = (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to={messagingPaths.segments}>Segments</Link>
      <span aria-hidden="true"> / </span>
      <span aria-current="page">{id === null ? 'New' : (segment.data?.name ?? id)}</span>
    </nav>
  );

  if (segment.data === undefined || criteria.data === undefined) {
    const notFound = segment.error instanceof ApiError && segment.error.status === 404;
    return (
      <>
        {breadcrumb}
        {(segment.loading || criteria.loading) && <Spinner label="Loading segment…" />}
        {notFound ? (
          <div className="empty-state" role="alert">
            <h1>Segment {id} not found</h1>
            <p>
              <Link to={messagingPaths.segments}>All segments</Link>
            </p>
          </div>
        ) : (
          <>
            {segment.error !== null && <ErrorMessage error={segment.error} onRetry={segment.reload} />}
            {criteria.error !== null && <ErrorMessage error={criteria.error} onRetry={criteria.reload} />}
          </>
        )}
      </>
    );
  }

  return (
    <>
      {breadcrumb}
      <SegmentEditor saved={segment.data} criteria={criteria.data.items} onSaved={(s) => segment.setData(s)} />
    </>
  );
}

type RowProblems = Record<number, Record<string, string>>;

/** `definition.criteria.2.params.days` → row 2, parameter `days`. */
function problemsOf(err: unknown): { rows: RowProblems; name?: string; rest: string[] } {
  const rows: RowProblems = {};
  const rest: string[] = [];
  let name: string | undefined;
  if (!(err instanceof ApiError)) return { rows, rest };
  for (const p of err.fields) {
    const m = /^definition\.criteria\.(\d+)(?:\.(criterion|params)(?:\.(\w+))?)?/.exec(p.field);
    if (m) {
      const i = Number(m[1]);
      const key = m[2] === 'criterion' ? 'criterion' : (m[3] ?? '');
      rows[i] = { ...rows[i], [key]: p.message };
    } else if (p.field === 'name') name = p.message;
    else rest.push(`${p.field}: ${p.message}`);
  }
  return { rows, name, rest };
}

interface EditorProps {
  saved: Segment | null;
  criteria: Criterion[];
  onSaved: (s: Segment) => void;
}

function SegmentEditor({ saved, criteria, onSaved }: EditorProps) {
  const toast = useToast();
  const idBase = useId();
  const headingRef = useFocusOnMount<HTMLHeadingElement>(saved !== null);
  const nextKey = useRef(1);
  const toRows = (s: Segment | null): RowState[] =>
    (s?.definition.criteria ?? []).map((c) => ({ key: nextKey.current++, criterion: c.criterion, negate: c.negate ?? false, raw: rawOf(c.params) }));
  const [name, setName] = useState(saved?.name ?? '');
  const [match, setMatch] = useState<'all' | 'any'>(saved?.definition.match ?? 'all');
  const [rows, setRows] = useState<RowState[]>(() => toRows(saved));
  const [touched, setTouched] = useState<Set<number>>(() => new Set());
  const [attempted, setAttempted] = useState(false);
  const [serverRows, setServerRows] = useState<RowProblems>({});
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);

  const bySpec = useMemo(() => new Map(criteria.map((c) => [c.name, { criterion: c, specs: paramSpecs(c.params) }])), [criteria]);

  // The definition as the API takes it, and what is missing before it can be counted or saved.
  const { definition, localProblems } = useMemo(() => {
    const local: RowProblems = {};
    const items = rows.map((r, i) => {
      const found = bySpec.get(r.criterion);
      if (!found) {
        local[i] = { criterion: 'Choose a criterion' };
        return { criterion: r.criterion, params: {}, negate: r.negate };
      }
      const { params, problems } = paramsOf(found.specs, r.raw);
      if (Object.keys(problems).length) local[i] = problems;
      return { criterion: r.criterion, params, negate: r.negate };
    });
    const def: SegmentDefinition | null = Object.keys(local).length ? null : { match, criteria: items };
    return { definition: def, localProblems: local };
  }, [rows, match, bySpec]);

  const savedKey = saved ? JSON.stringify({ name: saved.name, definition: normalise(saved.definition) }) : null;
  const dirty = savedKey === null || definition === null || JSON.stringify({ name: name.trim(), definition: normalise(definition) }) !== savedKey;

  useEffect(() => {
    if (focusRow === null) return;
    listRef.current?.querySelector<HTMLSelectElement>(`[data-row-key="${focusRow}"] select`)?.focus();
    setFocusRow(null);
  }, [focusRow]);

  const changeRows = (update: (rows: RowState[]) => RowState[]) => {
    setRows(update);
    setServerRows({});
  };

  const add = () => {
    const first = criteria[0];
    if (!first) return;
    const key = nextKey.current++;
    const specs = paramSpecs(first.params);
    changeRows((rs) => [...rs, { key, criterion: first.name, negate: false, raw: defaultRaw(specs, first.params) }]);
    setFocusRow(key);
  };

  const update = (key: number, patch: Partial<RowState>) => {
    changeRows((rs) => rs.map((r) => (r.key === key ? { ...r, ...patch } : r)));
    setTouched((t) => (t.has(key) ? t : new Set(t).add(key)));
  };

  const remove = (index: number) => {
    const previous = rows[index - 1] ?? rows[index + 1];
    changeRows((rs) => rs.filter((_, i) => i !== index));
    if (previous) setFocusRow(previous.key);
    else window.requestAnimationFrame(() => addRef.current?.focus());
  };

  const onCountProblems = useCallback((err: unknown) => {
    setServerRows(err instanceof ApiError && err.status === 400 ? problemsOf(err).rows : {});
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setAttempted(true);
    const trimmed = name.trim();
    if (!trimmed || definition === null) {
      setNameError(trimmed ? undefined : 'Give the segment a name.');
      setError(new Error(definition === null ? 'Complete the marked criteria.' : 'Please correct the marked fields.'));
      return;
    }
    setBusy(true);
    setError(null);
    setNameError(undefined);
    try {
      if (saved) {
        const updated = await messagingApi.updateSegment(saved.id, { name: trimmed, definition });
        onSaved(updated);
        toast('Segment saved');
      } else {
        const created = await messagingApi.createSegment(trimmed, definition);
        toast(`Segment “${created.name}” saved`);
        navigate(messagingPaths.segment(created.id), { replace: true });
      }
    } catch (err) {
      const p = problemsOf(err);
      setServerRows(p.rows);
      setNameError(p.name);
      const marked = p.name !== undefined || Object.keys(p.rows).length > 0;
      setError(marked ? new Error(p.rest.length ? p.rest.join('; ') : 'Please correct the marked fields.') : err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <SectionHead title={saved ? saved.name : 'New segment'} headingRef={headingRef}>
        {saved && (
          <Link to={`${messagingPaths.newCampaign}?segmentId=${saved.id}`} className="btn">
            Use in a campaign
          </Link>
        )}
      </SectionHead>
      {saved?.updatedAt && (
        <p className="hint msg-subtitle">
          Last saved <time dateTime={saved.updatedAt}>{formatDateTime(saved.updatedAt)}</time>
        </p>
      )}
      <div className="msg-editor-grid">
        <form className="card msg-form" onSubmit={submit} noValidate data-testid="segment-form">
          <div className="field msg-name-field">
            <label htmlFor={`${idBase}-name`}>Name</label>
            <input
              id={`${idBase}-name`}
              name="name"
              autoComplete="off"
              autoFocus={saved === null}
              value={name}
              disabled={busy}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={nameError ? true : undefined}
              aria-describedby={nameError ? `${idBase}-name-error` : undefined}
            />
            <FieldError id={`${idBase}-name-error`} message={nameError} />
          </div>

          <fieldset className="fieldset msg-match" disabled={busy}>
            <legend>Customers who match</legend>
            <div className="msg-radios">
              <label className="msg-check">
                <input type="radio" name={`${idBase}-match`} value="all" checked={match === 'all'} onChange={() => setMatch('all')} />
                <span>
                  <strong>all</strong> of the criteria
                </span>
              </label>
              <label className="msg-check">
                <input type="radio" name={`${idBase}-match`} value="any" checked={match === 'any'} onChange={() => setMatch('any')} />
                <span>
                  <strong>any</strong> of the criteria
                </span>
              </label>
            </div>
          </fieldset>

          {rows.length === 0 ? (
            <p className="msg-no-criteria muted">No criteria yet: the segment holds every customer. Add a criterion to narrow it.</p>
          ) : (
            <ol className="msg-criteria" ref={listRef} aria-label="Criteria">
              {rows.map((row, i) => (
                <li key={row.key} data-row-key={row.key}>
                  {i > 0 && (
                    <span className="msg-joiner" aria-hidden="true">
                      {match === 'all' ? 'and' : 'or'}
                    </span>
                  )}
                  <CriterionRow
                    index={i}
                    row={row}
                    criteria={criteria}
                    problems={{ ...localProblems[i], ...serverRows[i] }}
                    showRequired={attempted || touched.has(row.key)}
                    disabled={busy}
                    onCriterion={(criterion) => {
                      const found = bySpec.get(criterion);
                      update(row.key, { criterion, raw: found ? defaultRaw(found.specs, found.criterion.params) : {} });
                    }}
                    onParam={(param, value) => update(row.key, { raw: { ...row.raw, [param]: value } })}
                    onNegate={(negate) => update(row.key, { negate })}
                    onRemove={() => remove(i)}
                  />
                </li>
              ))}
            </ol>
          )}
          <button ref={addRef} type="button" className="btn msg-add" onClick={add} disabled={busy || criteria.length === 0} data-testid="add-criterion">
            <span aria-hidden="true">＋</span> Add criterion
          </button>

          {error !== null && <ErrorMessage error={error} />}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy || (saved !== null && !dirty)} data-testid="save-segment">
              {busy ? 'Saving…' : saved ? 'Save changes' : 'Save segment'}
            </button>
            {!saved && (
              <Link to={messagingPaths.segments} className="btn">
                Cancel
              </Link>
            )}
            {saved && !dirty && <span className="hint msg-saved-note">All changes saved</span>}
          </div>
        </form>
        <div className="msg-side msg-side-sticky">
          <LiveCount definition={definition} onServerProblems={onCountProblems} />
        </div>
      </div>
    </>
  );
}

/** Compares definitions without caring about key order or `negate: false` versus no `negate`. */
function normalise(d: SegmentDefinition): SegmentDefinition {
  return {
    match: d.match,
    criteria: d.criteria.map((c) => ({
      criterion: c.criterion,
      // The database keeps JSON keys in its own order.
      params: Object.fromEntries(Object.entries(c.params ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      negate: c.negate ?? false,
    })),
  };
}
