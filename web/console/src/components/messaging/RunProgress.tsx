import { formatDateTime } from '../../format';
import { RUN_STATUS_LABELS, type CampaignRun } from '../../messaging-api';
import { RunStatusBadge } from './ui';

interface Part {
  key: 'sent' | 'skipped' | 'failed' | 'queued' | 'cancelled';
  label: string;
  value: number;
  detail?: string;
}

/** The send-log statuses of a run, in the four groups the bar shows (and cancelled). */
export function progressParts(run: CampaignRun): { parts: Part[]; total: number; processed: number } {
  const p = run.progress;
  const n = (k: keyof typeof p) => p[k] ?? 0;
  const noConsent = n('skipped_no_consent');
  const noAddress = n('skipped_no_address');
  const details = (items: [string, number][]) =>
    items
      .filter(([, v]) => v > 0)
      .map(([label, v]) => `${v.toLocaleString('en')} ${label}`)
      .join(', ') || undefined;
  const parts: Part[] = [
    { key: 'sent', label: 'Sent', value: n('sent') },
    {
      key: 'skipped',
      label: 'Skipped',
      value: noConsent + noAddress,
      detail: details([
        ['without consent', noConsent],
        ['without an address', noAddress],
      ]),
    },
    { key: 'failed', label: 'Failed', value: n('failed') + n('bounced'), detail: n('bounced') ? `${n('bounced')} bounced` : undefined },
    { key: 'queued', label: 'Queued', value: n('queued') + n('sending'), detail: n('sending') ? `${n('sending')} sending now` : undefined },
    { key: 'cancelled', label: 'Cancelled', value: n('cancelled') },
  ];
  const counted = parts.reduce((sum, part) => sum + part.value, 0);
  const total = Math.max(run.total ?? 0, counted);
  const queued = parts.find((x) => x.key === 'queued')?.value ?? 0;
  return { parts, total, processed: counted - queued };
}

const pct = (value: number, total: number) => (total > 0 ? `${(value / total) * 100}%` : '0%');

/** One run of a campaign: its state, a stacked bar of what happened to each message, and the numbers. */
export function RunProgress({ run, live }: { run: CampaignRun; live: boolean }) {
  const { parts, total, processed } = progressParts(run);
  const preparing = run.status === 'preparing' || run.total === null;
  const shownParts = parts.filter((x) => x.key !== 'cancelled' || x.value > 0);
  const percent = total > 0 ? Math.floor((processed / total) * 100) : preparing ? 0 : 100;
  return (
    <div className="msg-run" data-testid="run" data-run-id={run.id} data-status={run.status}>
      <div className="msg-run-head">
        <RunStatusBadge status={run.status} />
        <span className="msg-run-title">
          {run.runKey === 'once' ? 'Run' : <>Run <span className="mono">{formatDateTime(run.runKey)}</span></>}
        </span>
        <span className="muted msg-run-times">
          started <time dateTime={run.startedAt}>{formatDateTime(run.startedAt)}</time>
          {run.finishedAt && (
            <>
              {' '}
              · finished <time dateTime={run.finishedAt}>{formatDateTime(run.finishedAt)}</time>
            </>
          )}
        </span>
      </div>
      {preparing ? (
        <p className="muted msg-run-preparing">{run.status === 'preparing' ? 'Finding the customers of the segment…' : RUN_STATUS_LABELS[run.status]}</p>
      ) : (
        <>
          <div
            className="msg-bar"
            role="progressbar"
            aria-label={`Progress of run ${run.id}`}
            aria-valuemin={0}
            aria-valuemax={total}
            aria-valuenow={processed}
            aria-valuetext={`${processed.toLocaleString('en')} of ${total.toLocaleString('en')} processed`}
          >
            {shownParts.map((x) =>
              x.value > 0 ? <span key={x.key} className={`msg-bar-part msg-bar-${x.key}`} style={{ width: pct(x.value, total) }} /> : null,
            )}
          </div>
          <p className="msg-run-summary" aria-live={live ? 'polite' : undefined} data-testid="run-summary">
            <strong>{percent}%</strong> · {processed.toLocaleString('en')} of {total.toLocaleString('en')} processed
            {run.segmentMs !== null && <span className="muted"> · audience found in {run.segmentMs} ms</span>}
          </p>
          <dl className="msg-legend">
            {shownParts.map((x) => (
              <div key={x.key} className="msg-legend-item" data-testid={`progress-${x.key}`} data-value={x.value}>
                <dt>
                  <span className={`msg-swatch msg-bar-${x.key}`} aria-hidden="true" />
                  {x.label}
                </dt>
                <dd>
                  <span className="msg-legend-value">{x.value.toLocaleString('en')}</span>
                  {x.detail && <span className="muted msg-legend-detail">{x.detail}</span>}
                </dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </div>
  );
}
