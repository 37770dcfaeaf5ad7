import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api';
import { CHANNEL_LABELS, formatDateTime } from '../../format';
import { useDocumentTitle, useResource } from '../../hooks';
import { messagingApi, messagingPaths, type Channel, type Template, type TemplateInput } from '../../messaging-api';
import { Link, navigate } from '../../router';
import { PlaceholderHelp } from '../../components/messaging/PlaceholderHelp';
import { TemplatePreview } from '../../components/messaging/TemplatePreview';
import { ChannelTag, FieldError, SectionHead, splitErrors } from '../../components/messaging/ui';
import { ErrorMessage, Spinner, useFocusOnMount, useToast } from '../../components/ui';

const FIELDS = ['name', 'channel', 'subject', 'bodyText', 'bodyHtml', 'qrUrl'] as const;
type Field = (typeof FIELDS)[number];
type TextField = 'subject' | 'bodyText' | 'bodyHtml' | 'qrUrl';

const TEXT_LABELS: Record<TextField, string> = {
  subject: 'Subject',
  bodyText: 'Text',
  bodyHtml: 'HTML',
  qrUrl: 'QR code URL',
};

interface Values {
  name: string;
  channel: Channel;
  subject: string;
  bodyText: string;
  bodyHtml: string;
  qrUrl: string;
}

const valuesOf = (t: Template | null): Values => ({
  name: t?.name ?? '',
  channel: t?.channel ?? 'email',
  subject: t?.subject ?? '',
  bodyText: t?.bodyText ?? '',
  bodyHtml: t?.bodyHtml ?? '',
  qrUrl: t?.qrUrl ?? '',
});

export function TemplateEditorPage({ id }: { id: number | null }) {
  const template = useResource(`template:${id ?? 'new'}`, (signal) =>
    id === null ? Promise.resolve(null) : messagingApi.template(id, signal),
  );
  const criteria = useResource('criteria', (signal) => messagingApi.criteria(signal));
  useDocumentTitle(id === null ? 'New template' : template.data ? template.data.name : `Template ${id}`);

  const breadcrumb = (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <Link to={messagingPaths.templates}>Templates</Link>
      <span aria-hidden="true"> / </span>
      <span aria-current="page">{id === null ? 'New' : (template.data?.name ?? id)}</span>
    </nav>
  );

  if (template.data === undefined) {
    return (
      <>
        {breadcrumb}
        {template.loading && <Spinner label="Loading template…" />}
        {template.error instanceof ApiError && template.error.status === 404 ? (
          <div className="empty-state" role="alert">
            <h1>Template {id} not found</h1>
            <p>
              <Link to={messagingPaths.templates}>All templates</Link>
            </p>
          </div>
        ) : (
          template.error !== null && <ErrorMessage error={template.error} onRetry={template.reload} />
        )}
      </>
    );
  }

  return (
    <>
      {breadcrumb}
      <TemplateEditor
        saved={template.data}
        providers={criteria.data?.contextProviders ?? []}
        onSaved={(t) => template.setData(t)}
      />
    </>
  );
}

interface EditorProps {
  saved: Template | null;
  providers: string[];
  onSaved: (t: Template) => void;
}

function TemplateEditor({ saved, providers, onSaved }: EditorProps) {
  const toast = useToast();
  const headingRef = useFocusOnMount<HTMLHeadingElement>(saved !== null);
  const idBase = useId();
  const [values, setValues] = useState<Values>(() => valuesOf(saved));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [target, setTarget] = useState<TextField>('bodyText');
  const formRef = useRef<HTMLFormElement>(null);
  const inputs = useRef<Partial<Record<TextField, HTMLInputElement | HTMLTextAreaElement | null>>>({});

  const isEmail = values.channel === 'email';
  const savedValues = valuesOf(saved);
  const dirty = FIELDS.some((f) => values[f] !== savedValues[f]);

  // A field the channel does not have (HTML of a letter) falls back to the text.
  const insertInto: TextField = (!isEmail && target === 'bodyHtml') || (isEmail && target === 'qrUrl') ? 'bodyText' : target;

  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((v) => ({ ...v, [key]: value }));

  /** Puts a placeholder at the cursor of the last template field used, and keeps the cursor after it. */
  const insert = (text: string) => {
    const field = insertInto;
    const el = inputs.current[field];
    const current = values[field];
    const start = el?.selectionStart ?? current.length;
    const end = el?.selectionEnd ?? current.length;
    const next = current.slice(0, start) + text + current.slice(end);
    set(field, next);
    // Inside a section placeholder, the cursor goes between the opening and closing tags.
    const inner = /^\{\{[#^][^}]*\}\}/.exec(text);
    const caret = start + (inner ? inner[0].length : text.endsWith('.}}') ? text.length - 2 : text.length);
    window.requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(caret, caret);
    });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const missing: Partial<Record<Field, string>> = {};
    if (!values.name.trim()) missing.name = 'Give the template a name.';
    if (!values.subject.trim()) missing.subject = 'A subject is required.';
    if (!values.bodyText.trim()) missing.bodyText = 'The text is required.';
    if (Object.keys(missing).length) {
      setFieldErrors(missing);
      setError(new Error('Please correct the marked fields.'));
      focusFirst(missing);
      return;
    }
    const body: TemplateInput = {
      name: values.name.trim(),
      channel: values.channel,
      subject: values.subject,
      bodyText: values.bodyText,
      bodyHtml: isEmail && values.bodyHtml.trim() ? values.bodyHtml : null,
      qrUrl: !isEmail && values.qrUrl.trim() ? values.qrUrl.trim() : null,
    };
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      if (saved) {
        const { channel: _fixed, ...changes } = body;
        const updated = await messagingApi.updateTemplate(saved.id, changes);
        onSaved(updated);
        setValues(valuesOf(updated));
        toast('Template saved');
      } else {
        const created = await messagingApi.createTemplate(body);
        toast(`Template “${created.name}” created`);
        navigate(messagingPaths.template(created.id), { replace: true });
      }
    } catch (err) {
      const { byField, general } = splitErrors(err, FIELDS);
      setFieldErrors(byField);
      setError(general);
      focusFirst(byField);
    } finally {
      setBusy(false);
    }
  };

  const focusFirst = (byField: Partial<Record<Field, string>>) => {
    const first = FIELDS.find((f) => byField[f]);
    if (first) window.requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>(`[name="${first}"]`)?.focus());
  };

  const fieldId = (f: Field) => `${idBase}-${f}`;
  const errorProps = (f: Field) =>
    fieldErrors[f] ? { 'aria-invalid': true as const, 'aria-describedby': `${fieldId(f)}-error` } : {};
  const track = (f: TextField) => ({
    ref: (el: HTMLInputElement | HTMLTextAreaElement | null) => {
      inputs.current[f] = el;
    },
    onFocus: () => setTarget(f),
  });

  return (
    <>
      <SectionHead title={saved ? saved.name : 'New template'} headingRef={headingRef}>
        {saved && <ChannelTag channel={saved.channel} />}
        {saved && (
          <Link to={`${messagingPaths.newCampaign}?templateId=${saved.id}`} className="btn">
            Use in a campaign
          </Link>
        )}
      </SectionHead>
      {saved && (
        <p className="hint msg-subtitle">
          Last saved <time dateTime={saved.updatedAt}>{formatDateTime(saved.updatedAt)}</time>
        </p>
      )}
      <div className="msg-editor-grid">
        <form ref={formRef} className="card msg-form" onSubmit={submit} noValidate data-testid="template-form">
          <fieldset className="fieldset" disabled={busy}>
            <legend>Template</legend>
            <div className="form-grid">
              <div className="field">
                <label htmlFor={fieldId('name')}>Name</label>
                <input
                  id={fieldId('name')}
                  name="name"
                  autoComplete="off"
                  autoFocus={saved === null}
                  value={values.name}
                  onChange={(e) => set('name', e.target.value)}
                  {...errorProps('name')}
                />
                <FieldError id={`${fieldId('name')}-error`} message={fieldErrors.name} testId="field-error-name" />
              </div>
              <div className="field">
                <label htmlFor={fieldId('channel')}>Channel</label>
                {saved ? (
                  <>
                    <input id={fieldId('channel')} value={CHANNEL_LABELS[saved.channel]} disabled aria-describedby={`${fieldId('channel')}-hint`} />
                    <p id={`${fieldId('channel')}-hint`} className="hint">
                      The channel of a saved template cannot change.
                    </p>
                  </>
                ) : (
                  <select
                    id={fieldId('channel')}
                    name="channel"
                    value={values.channel}
                    onChange={(e) => set('channel', e.target.value as Channel)}
                    {...errorProps('channel')}
                  >
                    <option value="email">{CHANNEL_LABELS.email}</option>
                    <option value="postal_mail">{CHANNEL_LABELS.postal_mail}</option>
                  </select>
                )}
                <FieldError id={`${fieldId('channel')}-error`} message={fieldErrors.channel} />
              </div>
            </div>
          </fieldset>
          <fieldset className="fieldset" disabled={busy}>
            <legend>Content</legend>
            <div className="msg-stack">
              <div className="field">
                <label htmlFor={fieldId('subject')}>{isEmail ? 'Subject' : 'Title'}</label>
                <input
                  id={fieldId('subject')}
                  name="subject"
                  autoComplete="off"
                  className="msg-code-input"
                  value={values.subject}
                  onChange={(e) => set('subject', e.target.value)}
                  {...track('subject')}
                  {...errorProps('subject')}
                />
                <FieldError id={`${fieldId('subject')}-error`} message={fieldErrors.subject} testId="field-error-subject" />
              </div>
              <div className="field">
                <label htmlFor={fieldId('bodyText')}>{isEmail ? 'Text' : 'Letter text'}</label>
                <textarea
                  id={fieldId('bodyText')}
                  name="bodyText"
                  rows={10}
                  className="msg-code-input"
                  value={values.bodyText}
                  onChange={(e) => set('bodyText', e.target.value)}
                  {...track('bodyText')}
                  {...errorProps('bodyText')}
                />
                <FieldError id={`${fieldId('bodyText')}-error`} message={fieldErrors.bodyText} testId="field-error-bodyText" />
              </div>
              {isEmail ? (
                <div className="field">
                  <label htmlFor={fieldId('bodyHtml')}>
                    HTML <span className="muted msg-optional">optional</span>
                  </label>
                  <textarea
                    id={fieldId('bodyHtml')}
                    name="bodyHtml"
                    rows={8}
                    className="msg-code-input"
                    placeholder="<p>{{customer.name}} 様</p>"
                    value={values.bodyHtml}
                    onChange={(e) => set('bodyHtml', e.target.value)}
                    {...track('bodyHtml')}
                    {...errorProps('bodyHtml')}
                  />
                  <FieldError id={`${fieldId('bodyHtml')}-error`} message={fieldErrors.bodyHtml} testId="field-error-bodyHtml" />
                  {!fieldErrors.bodyHtml && <p className="hint">Without HTML, the e-mail is sent as plain text.</p>}
                </div>
              ) : (
                <div className="field">
                  <label htmlFor={fieldId('qrUrl')}>
                    QR code URL <span className="muted msg-optional">optional</span>
                  </label>
                  <input
                    id={fieldId('qrUrl')}
                    name="qrUrl"
                    autoComplete="off"
                    inputMode="url"
                    className="msg-code-input"
                    placeholder="https://shop.example.jp/c/{{customer.customerNumber}}"
                    value={values.qrUrl}
                    onChange={(e) => set('qrUrl', e.target.value)}
                    {...track('qrUrl')}
                    {...errorProps('qrUrl')}
                  />
                  <FieldError id={`${fieldId('qrUrl')}-error`} message={fieldErrors.qrUrl} />
                  {!fieldErrors.qrUrl && <p className="hint">Printed on each letter as a QR code; placeholders work here too.</p>}
                </div>
              )}
            </div>
          </fieldset>
          {error !== null && <ErrorMessage error={error} />}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={busy || (saved !== null && !dirty)} data-testid="save-template">
              {busy ? 'Saving…' : saved ? 'Save changes' : 'Create template'}
            </button>
            {saved ? (
              dirty && (
                <button
                  type="button"
                  className="btn"
                  disabled={busy}
                  onClick={() => {
                    setValues(valuesOf(saved));
                    setFieldErrors({});
                    setError(null);
                  }}
                >
                  Discard changes
                </button>
              )
            ) : (
              <Link to={messagingPaths.templates} className="btn">
                Cancel
              </Link>
            )}
            {saved && !dirty && <span className="hint msg-saved-note">All changes saved</span>}
          </div>
        </form>
        <div className="msg-side">
          <PlaceholderHelp providers={providers} target={TEXT_LABELS[insertInto]} onInsert={insert} />
          <TemplatePreview
            templateId={saved?.id ?? null}
            channel={values.channel}
            version={saved?.updatedAt ?? ''}
            dirty={dirty}
          />
        </div>
      </div>
    </>
  );
}
