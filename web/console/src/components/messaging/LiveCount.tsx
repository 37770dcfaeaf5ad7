import { useEffect, useId, useState } from 'react';
import { isAbort } from '../../api';
import { messagingApi, type SegmentCount, type SegmentDefinition } from '../../messaging-api';
import { customerPath, Link } from '../../router';
import { ErrorMessage, Spinner } from '../ui';
import { plural } from './ui';

export const COUNT_DEBOUNCE_MS = 400;

interface Props {
  /** The definition to count; null while some criterion is incomplete. */
  definition: SegmentDefinition | null;
  /** Problems the server found, for the builder to show under the criteria. */
  onServerProblems?: (err: unknown) => void;
}

interface Counted {
  key: string;
  result: SegmentCount;
}

/** How many customers the definition matches, asked again after each pause in editing. */
export function LiveCount({ definition, onServerProblems }: Props) {
  const id = useId();
  const key = definition ? JSON.stringify(definition) : null;
  const [counted, setCounted] = useState<Counted | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    if (key === null) {
      setLoading(false);
      return;
    }
    const ctrl = new AbortController();
    setLoading(true);
    const timer = window.setTimeout(() => {
      messagingApi.countSegment(JSON.parse(key) as SegmentDefinition, ctrl.signal).then(
        (result) => {
          if (ctrl.signal.aborted) return;
          setCounted({ key, result });
          setError(null);
          setLoading(false);
          onServerProblems?.(null);
        },
        (err: unknown) => {
          if (ctrl.signal.aborted || isAbort(err)) return;
          setError(err);
          setLoading(false);
          onServerProblems?.(err);
        },
      );
    }, COUNT_DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
    // onServerProblems is a callback of the parent; a new identity must not ask again.
  }, [key, tick]);

  const stale = counted !== null && counted.key !== key;
  const result = counted?.result;

  return (
    <section className="card msg-count" aria-labelledby={`${id}-title`} data-testid="live-count-card">
      <div className="card-head">
        <h2 id={`${id}-title`}>Customers in this segment</h2>
        {loading && <Spinner inline label="Counting…" />}
      </div>
      <div aria-live="polite" aria-atomic="true">
        {result ? (
          <p className={`msg-count-line${stale ? ' is-stale' : ''}`} data-testid="live-count" data-count={stale ? undefined : result.count}>
            <strong className="msg-count-number">{result.count.toLocaleString('en')}</strong> {result.count === 1 ? 'customer' : 'customers'}
            <span className="muted"> · computed in {result.ms} ms</span>
          </p>
        ) : (
          !error && (
            <p className="muted" data-testid="live-count-empty">
              {key === null ? 'Complete the criteria to see how many customers match.' : 'Counting…'}
            </p>
          )
        )}
        {key === null && result && <p className="hint">Complete the criteria to count again.</p>}
      </div>
      {error !== null && <ErrorMessage error={error} onRetry={() => setTick((t) => t + 1)} />}
      {result && result.sample.length > 0 && (
        <div className="msg-sample">
          <span className="muted">For example:</span>
          <ul>
            {result.sample.map((n) => (
              <li key={n}>
                <Link to={customerPath(n)} className="mono" data-testid="sample-customer">
                  {n}
                </Link>
              </li>
            ))}
          </ul>
          {result.count > result.sample.length && <span className="muted">and {plural(result.count - result.sample.length, 'more', 'more')}</span>}
        </div>
      )}
      {definition && definition.criteria.length === 0 && <p className="hint">With no criteria, the segment holds every active customer.</p>}
    </section>
  );
}
