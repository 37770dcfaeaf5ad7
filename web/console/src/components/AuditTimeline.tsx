import { api } from '../api';
import { ACTION_LABELS, formatAuditValue, formatDateTime, labelOfKey } from '../format';
import { useResource } from '../hooks';
import type { AuditEntry } from '../types';
import { ErrorMessage, Spinner } from './ui';

const LIMIT = 50;

interface Change {
  key: string;
  before: unknown;
  after: unknown;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function flatten(obj: Record<string, unknown> | null, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (!obj) return out;
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v) && Object.keys(v).length > 0) flatten(v, path, out);
    else out.set(path, v);
  }
  return out;
}

/** The fields that differ between `before` and `after`, in a stable order. */
export function diffOf(entry: Pick<AuditEntry, 'before' | 'after'>): Change[] {
  const before = flatten(entry.before);
  const after = flatten(entry.after);
  const keys = [...new Set([...after.keys(), ...before.keys()])];
  const changes: Change[] = [];
  for (const key of keys) {
    const b = before.get(key) ?? null;
    const a = after.get(key) ?? null;
    if (JSON.stringify(b) !== JSON.stringify(a)) changes.push({ key, before: b, after: a });
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

export function AuditTimeline({ customerNumber, version }: { customerNumber: string; version: number }) {
  const audit = useResource(`${customerNumber}:${version}`, (signal) => api.audit(customerNumber, signal, LIMIT));
  const items = audit.data ? [...audit.data.items].sort(byNewest) : [];

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
          {items.map((entry) => (
            <TimelineEntry key={entry.id} entry={entry} />
          ))}
        </ol>
      )}
      {items.length >= LIMIT && <p className="hint">Showing the latest {LIMIT} entries.</p>}
    </section>
  );
}

function TimelineEntry({ entry }: { entry: AuditEntry }) {
  const changes = diffOf(entry);
  const details = entry.details ? [...flatten(entry.details)] : [];
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
                {entry.before === null ? (
                  // Something new (a created customer, an added identifier): just the values.
                  <span className="diff-after">{formatAuditValue(c.key, c.after)}</span>
                ) : entry.after === null ? (
                  // Something gone (a removed identifier, erased data): what it was.
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
      {details.length > 0 && (
        <dl className="details">
          {details.map(([k, v]) => (
            <div key={k} className="details-row">
              <dt>{labelOfKey(k)}</dt>
              <dd>{formatAuditValue(k, v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}
