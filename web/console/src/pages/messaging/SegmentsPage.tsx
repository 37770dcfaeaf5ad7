import { formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { messagingApi, messagingPaths, type Criterion, type Segment } from '../../messaging-api';
import { Link, navigate } from '../../router';
import { paramSpecs } from '../../components/messaging/schema-params';
import { SectionHead } from '../../components/messaging/ui';
import { ErrorMessage, Spinner } from '../../components/ui';

export function SegmentsPage() {
  useDocumentTitle('Segments');
  const segments = useResource('segments', (signal) => messagingApi.segments(signal));
  const criteria = useResource('criteria', (signal) => messagingApi.criteria(signal));
  const items = segments.data?.items;

  return (
    <>
      <SectionHead title="Segments">
        <Link to={messagingPaths.newSegment} className="btn btn-primary" data-testid="new-segment">
          New segment
        </Link>
      </SectionHead>
      {segments.error !== null && <ErrorMessage error={segments.error} onRetry={segments.reload} />}
      {!items && segments.loading && <Spinner label="Loading segments…" />}
      {items && items.length === 0 && (
        <div className="empty-state" data-testid="segments-empty">
          <p>There are no segments yet. A segment picks the customers a campaign goes to, by attributes, consent, rank and what they were sent.</p>
          <Link to={messagingPaths.newSegment} className="btn btn-primary">
            Build the first segment
          </Link>
        </div>
      )}
      {items && items.length > 0 && (
        <table className="table table-stack results-table" data-testid="segments">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Criteria</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr
                key={s.id}
                className="clickable"
                data-testid="segment-row"
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest('a')) return;
                  navigate(messagingPaths.segment(s.id));
                }}
              >
                <td data-label="Name" className="cell-name">
                  <Link to={messagingPaths.segment(s.id)}>{s.name}</Link>
                </td>
                <td data-label="Criteria" className="wrap">
                  {describeSegment(s, criteria.data?.items ?? [])}
                </td>
                <td data-label="Updated">{s.updatedAt ? <time dateTime={s.updatedAt}>{formatDateTime(s.updatedAt)}</time> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** "City equals 試験市 and not Has consent: E-mail", for the list. */
export function describeSegment(s: Segment, criteria: Criterion[]): string {
  const parts = s.definition.criteria.map((c) => {
    const known = criteria.find((k) => k.name === c.criterion);
    const specs = known ? paramSpecs(known.params) : [];
    // In the order the criterion lists its parameters (the database keeps its own key order).
    const order = (k: string) => {
      const i = specs.findIndex((p) => p.name === k);
      return i < 0 ? specs.length : i;
    };
    const entries = Object.entries(c.params ?? {}).sort(([a], [b]) => order(a) - order(b));
    const params = entries.map(([k, v]) => {
      const spec = specs.find((p) => p.name === k);
      const shown = spec?.input.kind === 'select' ? (spec.input.options.find((o) => o.value === v)?.label ?? String(v)) : Array.isArray(v) ? v.join(', ') : String(v);
      return spec && spec.input.kind !== 'select' && k !== 'value' ? `${spec.label.toLowerCase()} ${shown}` : shown;
    });
    const text = `${known?.label ?? c.criterion}${params.length ? `: ${params.join(' ')}` : ''}`;
    return c.negate ? `not ${text}` : text;
  });
  if (parts.length === 0) return 'Every customer';
  return parts.join(s.definition.match === 'all' ? ' and ' : ' or ');
}
