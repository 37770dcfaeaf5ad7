import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { isAbort } from '../../api';
import { CHANNEL_LABELS } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import {
  KIND_LABELS,
  messagingApi,
  messagingPaths,
  type CampaignInput,
  type CampaignKind,
  type Segment,
  type SegmentCount,
  type Template,
} from '../../messaging-api';
import { Link, navigate, useLocation } from '../../router';
import { FieldError, SectionHead, splitErrors } from '../../components/messaging/ui';
import { ErrorMessage, Spinner, useToast } from '../../components/ui';

const FIELDS = ['name', 'templateId', 'kind', 'segmentId', 'sendAt', 'cron', 'triggerName'] as const;
type Field = (typeof FIELDS)[number];

const KINDS: { kind: CampaignKind; description: string }[] = [
  { kind: 'one_off', description: 'Sent to the segment once, as soon as you start it.' },
  { kind: 'scheduled', description: 'Sent to the segment once, at a date and time you choose.' },
  { kind: 'recurring', description: 'Sent to the segment again and again, on a cron schedule.' },
  { kind: 'triggered', description: 'Sent to one customer whenever an event happens (e.g. a refill is due).' },
];

interface Lists {
  templates: Template[];
  segments: Segment[];
}

export function CampaignNewPage() {
  useDocumentTitle('New campaign');
  const lists = useResource<Lists>('campaign-form', async (signal) => {
    const [templates, segments] = await Promise.all([messagingApi.templates(signal), messagingApi.segments(signal)]);
    return { templates: templates.items, segments: segments.items };
  });

  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={messagingPaths.campaigns}>Campaigns</Link>
        <span aria-hidden="true"> / </span>
        <span aria-current="page">New</span>
      </nav>
      <SectionHead title="New campaign" />
      {lists.error !== null && <ErrorMessage error={lists.error} onRetry={lists.reload} />}
      {!lists.data && lists.loading && <Spinner label="Loading templates and segments…" />}
      {lists.data &&
        (lists.data.templates.length === 0 ? (
          <div className="empty-state">
            <p>A campaign sends a template. There are no templates yet.</p>
            <Link to={messagingPaths.newTemplate} className="btn btn-primary">
              Write a template
            </Link>
          </div>
        ) : (
          <CampaignForm lists={lists.data} />
        ))}
    </>
  );
}

/** `2025-11-22T09:30` in the browser's time zone → ISO in UTC. */
const isoOfLocal = (local: string) => {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};

function CampaignForm({ lists }: { lists: Lists }) {
  const toast = useToast();
  const idBase = useId();
  const { search } = useLocation();
  const formRef = useRef<HTMLFormElement>(null);
  const preset = (key: string, ids: number[]) => {
    const v = Number(search.get(key));
    return ids.includes(v) ? String(v) : '';
  };
  const [name, setName] = useState('');
  const [templateId, setTemplateId] = useState(() => preset('templateId', lists.templates.map((t) => t.id)));
  const [segmentId, setSegmentId] = useState(() => preset('segmentId', lists.segments.map((s) => s.id)));
  const [kind, setKind] = useState<CampaignKind>('one_off');
  const [sendAt, setSendAt] = useState('');
  const [cron, setCron] = useState('');
  const [triggerName, setTriggerName] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const template = lists.templates.find((t) => String(t.id) === templateId);
  const segment = lists.segments.find((s) => String(s.id) === segmentId);
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const missing: Partial<Record<Field, string>> = {};
    if (!name.trim()) missing.name = 'Give the campaign a name.';
    if (!templateId) missing.templateId = 'Choose a template.';
    if (kind !== 'triggered' && !segmentId) missing.segmentId = 'Choose who receives it.';
    if (kind === 'scheduled' && !isoOfLocal(sendAt)) missing.sendAt = 'Choose the date and time to send.';
    if (kind === 'recurring' && !cron.trim()) missing.cron = 'Enter a cron schedule.';
    if (kind === 'triggered' && !triggerName.trim()) missing.triggerName = 'Enter the event’s name.';
    if (Object.keys(missing).length) {
      setFieldErrors(missing);
      setError(new Error('Please correct the marked fields.'));
      focusFirst(missing);
      return;
    }
    const body: CampaignInput = { name: name.trim(), templateId: Number(templateId), kind };
    if (kind !== 'triggered') body.segmentId = Number(segmentId);
    if (kind === 'scheduled') body.sendAt = isoOfLocal(sendAt);
    if (kind === 'recurring') body.cron = cron.trim();
    if (kind === 'triggered') body.triggerName = triggerName.trim();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const created = await messagingApi.createCampaign(body);
      toast(`Campaign “${created.name}” created as a draft`);
      navigate(messagingPaths.campaign(created.id), { replace: true });
    } catch (err) {
      const { byField, general } = splitErrors(err, FIELDS);
      setFieldErrors(byField);
      setError(general);
      focusFirst(byField);
      setBusy(false);
    }
  };

  const focusFirst = (byField: Partial<Record<Field, string>>) => {
    const first = FIELDS.find((f) => byField[f]);
    if (first) window.requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus());
  };

  const fid = (f: Field) => `${idBase}-${f}`;
  const invalid = (f: Field) =>
    fieldErrors[f] ? { 'aria-invalid': true as const, 'aria-describedby': `${fid(f)}-error` } : {};

  return (
    <form ref={formRef} className="card msg-form msg-campaign-form" onSubmit={submit} noValidate data-testid="campaign-form">
      <fieldset className="fieldset" disabled={busy}>
        <legend>What</legend>
        <div className="form-grid">
          <div className="field">
            <label htmlFor={fid('name')}>Name</label>
            <input id={fid('name')} name="name" autoComplete="off" autoFocus value={name} onChange={(e) => setName(e.target.value)} {...invalid('name')} />
            <FieldError id={`${fid('name')}-error`} message={fieldErrors.name} />
          </div>
          <div className="field">
            <label htmlFor={fid('templateId')}>Template</label>
            <select id={fid('templateId')} name="templateId" value={templateId} onChange={(e) => setTemplateId(e.target.value)} {...invalid('templateId')}>
              <option value="">Choose a template…</option>
              {lists.templates.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({CHANNEL_LABELS[t.channel]})
                </option>
              ))}
            </select>
            <FieldError id={`${fid('templateId')}-error`} message={fieldErrors.templateId} />
            {template && !fieldErrors.templateId && (
              <p className="hint">
                {CHANNEL_LABELS[template.channel]}: “{template.subject}” ·{' '}
                <Link to={messagingPaths.template(template.id)} target="_blank" rel="noopener">
                  open
                </Link>
              </p>
            )}
          </div>
        </div>
      </fieldset>

      <fieldset className="fieldset" disabled={busy}>
        <legend>When</legend>
        <div className="msg-kinds" role="radiogroup" aria-label="Kind of campaign">
          {KINDS.map((k) => (
            // The whole card answers a click; the radio inside is what keyboards and screen readers use.
            <div key={k.kind} className={`msg-kind${kind === k.kind ? ' is-chosen' : ''}`} onClick={() => setKind(k.kind)}>
              <input
                id={`${idBase}-kind-${k.kind}`}
                type="radio"
                name="kind"
                value={k.kind}
                checked={kind === k.kind}
                onChange={() => setKind(k.kind)}
                aria-describedby={`${idBase}-kind-${k.kind}-description`}
              />
              <span>
                <label htmlFor={`${idBase}-kind-${k.kind}`}>{KIND_LABELS[k.kind]}</label>
                <span id={`${idBase}-kind-${k.kind}-description`} className="muted msg-kind-description">
                  {k.description}
                </span>
              </span>
            </div>
          ))}
        </div>
        <FieldError id={`${fid('kind')}-error`} message={fieldErrors.kind} />
        <div className="form-grid msg-kind-fields">
          {kind === 'scheduled' && (
            <div className="field">
              <label htmlFor={fid('sendAt')}>Send at</label>
              <input
                id={fid('sendAt')}
                name="sendAt"
                type="datetime-local"
                value={sendAt}
                onChange={(e) => setSendAt(e.target.value)}
                {...invalid('sendAt')}
                aria-describedby={fieldErrors.sendAt ? `${fid('sendAt')}-error` : `${fid('sendAt')}-hint`}
              />
              <FieldError id={`${fid('sendAt')}-error`} message={fieldErrors.sendAt} />
              {!fieldErrors.sendAt && (
                <p id={`${fid('sendAt')}-hint`} className="hint">
                  Your time zone ({timeZone}).
                </p>
              )}
            </div>
          )}
          {kind === 'recurring' && (
            <div className="field">
              <label htmlFor={fid('cron')}>Schedule (cron, UTC)</label>
              <input
                id={fid('cron')}
                name="cron"
                autoComplete="off"
                spellCheck={false}
                className="mono"
                placeholder="0 0 * * 1"
                value={cron}
                onChange={(e) => setCron(e.target.value)}
                {...invalid('cron')}
                aria-describedby={fieldErrors.cron ? `${fid('cron')}-error` : `${fid('cron')}-hint`}
              />
              <FieldError id={`${fid('cron')}-error`} message={fieldErrors.cron} />
              {!fieldErrors.cron && (
                <p id={`${fid('cron')}-hint`} className="hint">
                  Minute, hour, day, month, weekday — in UTC. <code>0 0 * * 1</code> is Mondays at 09:00 in Japan.
                </p>
              )}
            </div>
          )}
          {kind === 'triggered' && (
            <div className="field">
              <label htmlFor={fid('triggerName')}>Event name</label>
              <input
                id={fid('triggerName')}
                name="triggerName"
                autoComplete="off"
                spellCheck={false}
                className="mono"
                placeholder="replenishment"
                value={triggerName}
                onChange={(e) => setTriggerName(e.target.value)}
                {...invalid('triggerName')}
                aria-describedby={fieldErrors.triggerName ? `${fid('triggerName')}-error` : `${fid('triggerName')}-hint`}
              />
              <FieldError id={`${fid('triggerName')}-error`} message={fieldErrors.triggerName} />
              {!fieldErrors.triggerName && (
                <p id={`${fid('triggerName')}-hint`} className="hint">
                  The name other modules send the event under: a–z, 0–9, <code>_ . -</code>. Its data is <code>{'{{trigger.…}}'}</code> in the template.
                </p>
              )}
            </div>
          )}
        </div>
      </fieldset>

      {kind !== 'triggered' && (
        <fieldset className="fieldset" disabled={busy}>
          <legend>Who</legend>
          <div className="form-grid">
            <div className="field">
              <label htmlFor={fid('segmentId')}>Segment</label>
              {lists.segments.length === 0 ? (
                <p className="muted">
                  There are no segments yet. <Link to={messagingPaths.newSegment}>Build one</Link> first.
                </p>
              ) : (
                <select id={fid('segmentId')} name="segmentId" value={segmentId} onChange={(e) => setSegmentId(e.target.value)} {...invalid('segmentId')}>
                  <option value="">Choose a segment…</option>
                  {lists.segments.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </select>
              )}
              <FieldError id={`${fid('segmentId')}-error`} message={fieldErrors.segmentId} />
              {segment && !fieldErrors.segmentId && <SegmentSize segment={segment} channel={template?.channel} />}
            </div>
          </div>
        </fieldset>
      )}

      {error !== null && <ErrorMessage error={error} />}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="create-campaign">
          {busy ? 'Creating…' : 'Create draft'}
        </button>
        <Link to={messagingPaths.campaigns} className="btn">
          Cancel
        </Link>
        <span className="hint msg-saved-note">Nothing is sent until you start the campaign.</span>
      </div>
    </form>
  );
}

/** "About 1,234 customers; those without consent to e-mail are skipped when it is sent." */
function SegmentSize({ segment, channel }: { segment: Segment; channel?: Template['channel'] }) {
  const [count, setCount] = useState<SegmentCount | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const ctrl = new AbortController();
    setCount(null);
    setFailed(false);
    messagingApi.countSegment(segment.definition, ctrl.signal).then(
      (c) => setCount(c),
      (err: unknown) => {
        if (!isAbort(err) && !ctrl.signal.aborted) setFailed(true);
      },
    );
    return () => ctrl.abort();
  }, [segment]);
  if (failed) return null;
  if (!count) return <Spinner inline label="Counting…" />;
  return (
    <p className="hint" data-testid="campaign-segment-size">
      {count.count.toLocaleString('en')} {count.count === 1 ? 'customer' : 'customers'} today
      {channel ? `; those without ${CHANNEL_LABELS[channel].toLowerCase()} consent are skipped when it is sent.` : '.'}
    </p>
  );
}
