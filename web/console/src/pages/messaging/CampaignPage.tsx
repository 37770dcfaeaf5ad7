import { useEffect, useState } from 'react';
import { ApiError, isAbort } from '../../api';
import { CHANNEL_LABELS, formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import {
  KIND_LABELS,
  messagingApi,
  messagingPaths,
  printPdfUrl,
  type CampaignDetail,
  type CampaignStatus,
  type Segment,
  type SegmentCount,
  type Template,
} from '../../messaging-api';
import { Link } from '../../router';
import { Dialog } from '../../components/Dialog';
import { RunProgress } from '../../components/messaging/RunProgress';
import { CampaignStatusBadge, ChannelTag } from '../../components/messaging/ui';
import { ErrorMessage, Spinner, useFocusOnMount, useToast } from '../../components/ui';
import { whenOf } from './CampaignsPage';

/** How often the page asks again: every second while sending, now and then while waiting for its time. */
const POLL_MS: Partial<Record<CampaignStatus, number>> = { sending: 1000, scheduled: 15_000 };
const RUNS_SHOWN = 5;

type Action = 'start' | 'pause' | 'resume' | 'cancel';

const ACTIONS: Record<CampaignStatus, Action[]> = {
  draft: ['start', 'cancel'],
  scheduled: ['pause', 'cancel'],
  sending: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
  done: [],
  cancelled: [],
};

const DONE_TOAST: Record<Action, string> = {
  start: 'Campaign started',
  pause: 'Campaign paused',
  resume: 'Campaign resumed',
  cancel: 'Campaign cancelled',
};

export function CampaignPage({ id }: { id: number }) {
  const campaign = useResource(`campaign:${id}`, (signal) => messagingApi.campaign(id, signal));
  const c = campaign.data;
  useDocumentTitle(c ? c.name : `Campaign ${id}`);

  const breadcrumb = (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to={messagingPaths.campaigns}>Campaigns</Link>
      <span aria-hidden="true"> / </span>
      <span aria-current="page">{c?.name ?? id}</span>
    </nav>
  );

  if (!c) {
    return (
      <>
        {breadcrumb}
        {campaign.loading && <Spinner label="Loading campaign…" />}
        {campaign.error instanceof ApiError && campaign.error.status === 404 ? (
          <div className="empty-state" role="alert">
            <h1>Campaign {id} not found</h1>
            <p>
              <Link to={messagingPaths.campaigns}>All campaigns</Link>
            </p>
          </div>
        ) : (
          campaign.error !== null && <ErrorMessage error={campaign.error} onRetry={campaign.reload} />
        )}
      </>
    );
  }

  return (
    <>
      {breadcrumb}
      <CampaignView campaign={c} onChanged={campaign.setData} reload={campaign.reload} refreshing={campaign.loading} />
    </>
  );
}

interface ViewProps {
  campaign: CampaignDetail;
  onChanged: (c: CampaignDetail) => void;
  reload: () => void;
  refreshing: boolean;
}

function CampaignView({ campaign: c, onChanged, reload, refreshing }: ViewProps) {
  const toast = useToast();
  const headingRef = useFocusOnMount<HTMLHeadingElement>();
  const template = useResource(`template:${c.templateId}`, (signal) => messagingApi.template(c.templateId, signal));
  const segment = useResource(`segment:${c.segmentId ?? 'none'}`, (signal) =>
    c.segmentId === null ? Promise.resolve(null) : messagingApi.segment(c.segmentId, signal),
  );
  const [busy, setBusy] = useState<Action | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState<'start' | 'cancel' | null>(null);
  const [pollError, setPollError] = useState<unknown>(null);
  const [pollTick, setPollTick] = useState(0);
  const [allRuns, setAllRuns] = useState(false);

  const running = c.runs.some((r) => r.status === 'preparing' || r.status === 'sending');
  const pollMs = POLL_MS[c.status] ?? (running ? 1000 : undefined);

  // Ask again after each answer while the campaign is sending; a failed poll is tried again.
  useEffect(() => {
    if (pollMs === undefined) return;
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => {
      if (document.hidden) {
        setPollTick((t) => t + 1);
        return;
      }
      messagingApi.campaign(c.id, ctrl.signal).then(
        (fresh) => {
          setPollError(null);
          onChanged(fresh);
        },
        (err: unknown) => {
          if (isAbort(err) || ctrl.signal.aborted) return;
          setPollError(err);
          setPollTick((t) => t + 1);
        },
      );
    }, pollMs);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [c, pollMs, pollTick, onChanged]);

  const act = async (action: Action) => {
    setBusy(action);
    setActionError(null);
    try {
      const updated = await messagingApi.campaignAction(c.id, action);
      onChanged({ ...c, ...updated });
      toast(DONE_TOAST[action]);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
      setConfirm(null);
      // The runs (and, after a refused action, the status) come with the next load.
      reload();
    }
  };

  const channel = template.data?.channel;
  const runs = [...c.runs].sort((a, b) => b.id - a.id);
  const shownRuns = allRuns ? runs : runs.slice(0, RUNS_SHOWN);
  const actions = ACTIONS[c.status] ?? [];

  return (
    <div data-testid="campaign-page" data-campaign-id={c.id} data-status={c.status}>
      <header className="msg-campaign-head">
        <div className="msg-title-row">
          <h1 ref={headingRef} tabIndex={-1}>
            {c.name}
          </h1>
          <CampaignStatusBadge status={c.status} />
          {(refreshing || busy) && <Spinner inline label={busy ? 'Working…' : 'Refreshing…'} />}
        </div>
        <dl className="msg-facts">
          <div>
            <dt>Kind</dt>
            <dd>{KIND_LABELS[c.kind] ?? c.kind}</dd>
          </div>
          <div>
            <dt>When</dt>
            <dd>{whenOf(c)}</dd>
          </div>
          <div>
            <dt>Template</dt>
            <dd>
              {template.data ? (
                <span className="msg-template-cell">
                  <Link to={messagingPaths.template(template.data.id)}>{template.data.name}</Link>
                  <ChannelTag channel={template.data.channel} />
                </span>
              ) : (
                <Link to={messagingPaths.template(c.templateId)}>Template {c.templateId}</Link>
              )}
            </dd>
          </div>
          <div>
            <dt>Audience</dt>
            <dd>
              {c.kind === 'triggered' ? (
                <span className="muted">one customer per event</span>
              ) : segment.data ? (
                <Link to={messagingPaths.segment(segment.data.id)}>{segment.data.name}</Link>
              ) : c.segmentId !== null ? (
                <Link to={messagingPaths.segment(c.segmentId)}>Segment {c.segmentId}</Link>
              ) : (
                '—'
              )}
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <time dateTime={c.createdAt}>{formatDateTime(c.createdAt)}</time>
              {c.createdBy && <span className="muted"> by {c.createdBy}</span>}
            </dd>
          </div>
        </dl>
      </header>

      <section className="card msg-actions-card" aria-label="Campaign actions">
        <p className="msg-status-text">{statusText(c, channel)}</p>
        {actions.length > 0 && (
          <div className="msg-actions">
            {actions.includes('start') && (
              <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => setConfirm('start')} data-testid="campaign-start">
                {c.kind === 'one_off' ? 'Start sending…' : 'Start…'}
              </button>
            )}
            {actions.includes('pause') && (
              <button type="button" className="btn" disabled={busy !== null} onClick={() => act('pause')} data-testid="campaign-pause">
                {busy === 'pause' ? 'Pausing…' : 'Pause'}
              </button>
            )}
            {actions.includes('resume') && (
              <button type="button" className="btn btn-primary" disabled={busy !== null} onClick={() => act('resume')} data-testid="campaign-resume">
                {busy === 'resume' ? 'Resuming…' : 'Resume'}
              </button>
            )}
            {actions.includes('cancel') && (
              <button type="button" className="btn msg-btn-danger-quiet" disabled={busy !== null} onClick={() => setConfirm('cancel')} data-testid="campaign-cancel">
                Cancel campaign…
              </button>
            )}
          </div>
        )}
        {actionError !== null && <ErrorMessage error={actionError} />}
      </section>

      <section className="card msg-runs" aria-labelledby="runs-title" data-testid="runs">
        <div className="card-head">
          <h2 id="runs-title">Delivery</h2>
          {runs.length > 0 && <span className="count">{runs.length}</span>}
          {runs.length > 0 && (
            <Link to={messagingPaths.sendLog({ campaignId: c.id })} className="btn btn-small" data-testid="campaign-send-log">
              Send log
            </Link>
          )}
        </div>
        {pollError !== null && (
          <div className="alert alert-error" role="alert">
            <span>Cannot refresh the progress: {pollError instanceof Error ? pollError.message : 'unknown error'}. Trying again…</span>
          </div>
        )}
        {runs.length === 0 ? (
          <p className="muted">{c.status === 'draft' ? 'Nothing has been sent yet. Start the campaign to send it.' : 'No runs yet.'}</p>
        ) : (
          <ol className="msg-run-list">
            {shownRuns.map((run) => (
              <li key={run.id}>
                <RunProgress run={run} live={pollMs === 1000} />
                {channel === 'postal_mail' && run.status === 'done' && (
                  <p className="msg-run-links">
                    <a href={printPdfUrl(run.id)} className="btn btn-small" download data-testid="print-pdf">
                      Download print PDF
                    </a>
                    <span className="hint">One letter per page, for the print shop.</span>
                  </p>
                )}
              </li>
            ))}
          </ol>
        )}
        {runs.length > RUNS_SHOWN && (
          <button type="button" className="btn btn-small" onClick={() => setAllRuns((v) => !v)} aria-expanded={allRuns}>
            {allRuns ? `Show the latest ${RUNS_SHOWN}` : `Show all ${runs.length} runs`}
          </button>
        )}
      </section>

      {confirm === 'start' && (
        <StartDialog
          campaign={c}
          template={template.data}
          segment={segment.data ?? null}
          busy={busy === 'start'}
          onConfirm={() => act('start')}
          onClose={() => setConfirm(null)}
        />
      )}
      {confirm === 'cancel' && (
        <Dialog title="Cancel this campaign?" onClose={() => setConfirm(null)} busy={busy === 'cancel'} testId="cancel-dialog">
          <p>
            {c.status === 'sending'
              ? 'Messages not sent yet are dropped; those already sent stay sent.'
              : 'The campaign will not send anything.'}{' '}
            A cancelled campaign cannot be started again.
          </p>
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setConfirm(null)} disabled={busy === 'cancel'} data-autofocus>
              Keep it
            </button>
            <button type="button" className="btn btn-danger" onClick={() => act('cancel')} disabled={busy === 'cancel'}>
              {busy === 'cancel' ? 'Cancelling…' : 'Cancel campaign'}
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}

function statusText(c: CampaignDetail, channel: Template['channel'] | undefined): string {
  const what = channel ? CHANNEL_LABELS[channel].toLowerCase() : 'messages';
  switch (c.status) {
    case 'draft':
      return c.kind === 'one_off'
        ? `Draft. Starting it sends the ${what} at once.`
        : c.kind === 'scheduled'
          ? `Draft. Start it to send at ${formatDateTime(c.sendAt)}.`
          : c.kind === 'recurring'
            ? 'Draft. Start it to send on its schedule.'
            : 'Draft. Start it to send whenever the event happens.';
    case 'scheduled':
      return c.kind === 'triggered' ? 'Active: sends whenever the event happens.' : 'Waiting for its time to send.';
    case 'sending':
      return 'Sending now. The progress updates every second.';
    case 'paused':
      return 'Paused. Nothing more is sent until you resume it.';
    case 'done':
      return 'Done. Every message of this campaign has been handled.';
    case 'cancelled':
      return 'Cancelled.';
    default:
      return c.status;
  }
}

interface StartProps {
  campaign: CampaignDetail;
  template: Template | undefined;
  segment: Segment | null;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

function StartDialog({ campaign: c, template, segment, busy, onConfirm, onClose }: StartProps) {
  const [count, setCount] = useState<SegmentCount | null>(null);
  useEffect(() => {
    if (!segment) return;
    const ctrl = new AbortController();
    messagingApi.countSegment(segment.definition, ctrl.signal).then(setCount, () => undefined);
    return () => ctrl.abort();
  }, [segment]);
  const channel = template ? CHANNEL_LABELS[template.channel].toLowerCase() : 'the channel';
  const audience = segment ? (
    <>
      the customers of <strong>{segment.name}</strong>
      {count && ` (${count.count.toLocaleString('en')} today)`}
    </>
  ) : (
    'its audience'
  );
  return (
    <Dialog title={c.kind === 'one_off' ? 'Send this campaign now?' : 'Start this campaign?'} onClose={onClose} busy={busy} testId="start-dialog">
      <p>
        {c.kind === 'one_off' && <>“{template?.name ?? 'The template'}” goes out now to {audience}.</>}
        {c.kind === 'scheduled' && <>“{template?.name ?? 'The template'}” goes out at {formatDateTime(c.sendAt)} to {audience}.</>}
        {c.kind === 'recurring' && (
          <>
            “{template?.name ?? 'The template'}” goes out on the schedule <code>{c.cron}</code> (UTC) to {audience}.
          </>
        )}
        {c.kind === 'triggered' && (
          <>
            “{template?.name ?? 'The template'}” goes out whenever <code>{c.triggerName}</code> happens.
          </>
        )}
      </p>
      <p className="muted">Only customers who consent to {channel} at the moment of sending receive it; the others are skipped.</p>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose} disabled={busy} data-autofocus>
          Not yet
        </button>
        <button type="button" className="btn btn-primary" onClick={onConfirm} disabled={busy} data-testid="confirm-start">
          {busy ? 'Starting…' : c.kind === 'one_off' ? 'Send now' : 'Start'}
        </button>
      </div>
    </Dialog>
  );
}
