import { useState } from 'react';
import { api } from '../api';
import { ACTION_LABELS, formatAuditValue, formatDateTime, labelOfKey } from '../format';
import { useResource } from '../hooks';
import type { AuditEntry } from '../types';
import { ErrorMessage, Spinner } from './ui';

const LIMIT = 50;
/** How the server writes a value it has erased from the history. */
const ERASED = '[erased]';
/** Details worth showing at a glance; the rest (internal ids…) sits behind a disclosure. */
const MAIN_DETAILS = new Set([
  'source',
  'reason',
  'mergeId',
  'loserId',
  'survivorId',
  'otherCustomerNumber',
  'identifiersReleased',
  'identifierKinds',
]);

interface Change {
  key: string;
  before: unknown;
  after: unknown;
  erased: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isEmpty = (v: unknown) =>
  v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);

function flatten(obj: Record<string, unknown> | null, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && Object.keys(v).length > 0) flatten(v, path, out);
    else out.set(path, v);
  }
  return out;
}

/** The fields that differ between `before` and `after` (and the ones erased since), in a stable order. */
export function diffOf(entry: Pick<AuditEntry, 'before' | 'after'>): Change[] {
  const before = flatten(entry.before);
  const after = flatten(entry.after);
  const keys = [...new Set([...after.keys(), ...before.keys()])];
  const changes: Change[] = [];
  for (const key of keys) {
    const b = before.get(key) ?? null;
    const a = after.get(key) ?? null;
    const erased = b === ERASED || a === ERASED;
    if (erased || JSON.stringify(b) !== JSON.stringify(a)) changes.push({ key, before: b, after: a, erased });
  }
  return changes;
}

function actorLabel(actor: AuditEntry['actor']): string {
  if (actor.label) return actor.label;
  if (actor.type === 'system') return 'system';
  return actor.id ? `${actor.type} ${actor.id}` : actor.type;
}

const byNewest = (a: AuditEntry, b: AuditEntry) => {
  const t = Date.parse(b.at) - Date.parse(a.at);
  if (t !== 0 && !Number.isNaN(t)) return t;
  return Number(b.id) - Number(a.id);
};

const asId = (v: unknown): number | null =>
  typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v)) ? Number(v) : null;

/**
 * The merge an entry is about. `customer.unmerge` entries name it in `details.mergeId`; the
 * survivor's `customer.merge` entry may not, because the server uses that entry's own id as
 * the merge id.
 */
const mergeIdOf = (e: AuditEntry): number | null =>
  asId(e.details?.mergeId) ?? (e.action === 'customer.merge' ? asId(e.id) : null);

interface Props {
  customerNumber: string;
  version: number;
  /** Given when the person may undo merges of this customer from its history. */
  onUndoMerge?: (mergeId: number) => Promise<void>;
}

export function AuditTimeline({ customerNumber, version, onUndoMerge }: Props) {
  const audit = useResource(`${customerNumber}:${version}`, (signal) => api.audit(customerNumber, signal, LIMIT));
  const items = audit.data ? [...audit.data.items].sort(byNewest) : [];
  const undone = new Set(items.filter((e) => e.action === 'customer.unmerge').map(mergeIdOf));

  return (
    <section className="card" aria-labelledby="audit-title" data-testid="audit">
      <div className="card-head">
        <h2 id="audit-title">History</h2>
        {audit.loading && audit.data && <Spinner inline label="Refreshing…" />}
      </div>
      {audit.error !== null && <ErrorMessage error={audit.error} onRetry={audit.reload} />}
      {audit.loading && !audit.data && <Spinner />}
      {audit.data && items.length === 0 && <p className="muted">No history yet.</p>}
      {items.length > 0 && (
        <ol className="timeline">
          {items.map((entry) => {
            const mergeId = entry.action === 'customer.merge' ? mergeIdOf(entry) : null;
            const canUndo = onUndoMerge && mergeId !== null && !undone.has(mergeId);
            return (
              <TimelineEntry
                key={entry.id}
                entry={entry}
                onUndo={canUndo ? () => onUndoMerge(mergeId) : undefined}
              />
            );
          })}
        </ol>
      )}
      {items.length >= LIMIT && <p className="hint">Showing the latest {LIMIT} entries.</p>}
    </section>
  );
}

function TimelineEntry({ entry, onUndo }: { entry: AuditEntry; onUndo?: () => Promise<void> }) {
  const [undoing, setUndoing] = useState(false);
  const [undoError, setUndoError] = useState<unknown>(null);
  const changes = diffOf(entry);
  const details = [...flatten(entry.details)].filter(([, v]) => !isEmpty(v));
  const mainDetails = details.filter(([k]) => MAIN_DETAILS.has(k));
  const moreDetails = details.filter(([k]) => !MAIN_DETAILS.has(k));

  const undo = async () => {
    if (!onUndo) return;
    setUndoing(true);
    setUndoError(null);
    try {
      await onUndo();
    } catch (err) {
      setUndoError(err);
      setUndoing(false);
    }
  };

  return (
    <li className="timeline-entry" data-testid="audit-entry" data-action={entry.action}>
      <div className="timeline-head">
        <span className={`action action-${entry.action.split('.').pop()}`} title={entry.action}>
          {ACTION_LABELS[entry.action] ?? entry.action}
        </span>
        <time dateTime={entry.at} className="timeline-time">
          {formatDateTime(entry.at)}
        </time>
      </div>
      <div className="timeline-meta muted">
        by {actorLabel(entry.actor)} · {entry.surface} · <code>{entry.action}</code>
      </div>
      {changes.length > 0 && (
        <dl className="diff">
          {changes.map((c) => (
            <div key={c.key} className="diff-row">
              <dt>{labelOfKey(c.key)}</dt>
              <dd>
                {c.erased ? (
                  <span className="diff-erased">erased</span>
                ) : entry.before === null ? (
                  // Something new (a created customer, an added identifier): just the values.
                  <span className="diff-after">{formatAuditValue(c.key, c.after)}</span>
                ) : entry.after === null ? (
                  // Something gone (a removed identifier): what it was.
                  <span className="diff-before">{formatAuditValue(c.key, c.before)}</span>
                ) : (
                  <>
                    <span className="diff-before">{formatAuditValue(c.key, c.before)}</span>
                    <span className="diff-arrow" aria-label="changed to">
                      →
                    </span>
                    <span className="diff-after">{formatAuditValue(c.key, c.after)}</span>
                  </>
                )}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {mainDetails.length > 0 && (
        <dl className="details">
          {mainDetails.map(([k, v]) => (
            <div key={k} className="details-row">
              <dt>{labelOfKey(k)}</dt>
              <dd>{formatAuditValue(k, v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {moreDetails.length > 0 && (
        <details className="more-details">
          <summary>More details</summary>
          <dl className="details">
            {moreDetails.map(([k, v]) => (
              <div key={k} className="details-row">
                <dt>{labelOfKey(k)}</dt>
                <dd>{formatAuditValue(k, v)}</dd>
              </div>
            ))}
          </dl>
        </details>
      )}
      {onUndo && (
        <div className="timeline-actions">
          <button type="button" className="btn btn-small" onClick={undo} disabled={undoing}>
            {undoing ? 'Undoing…' : 'Undo this merge'}
          </button>
          {undoError !== null && <ErrorMessage error={undoError} />}
        </div>
      )}
    </li>
  );
}
