import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, isAbort } from '../../api';
import { CHANNEL_LABELS, digitsOnly } from '../../format';
import { messagingApi, type Channel, type TemplatePreview as Preview } from '../../messaging-api';
import { customerPath, Link } from '../../router';
import { ErrorMessage, Spinner } from '../ui';

interface Props {
  /** The saved template; null while it has not been saved yet. */
  templateId: number | null;
  channel: Channel;
  /** Changes when the template is saved, so a shown preview is rendered again. */
  version: string;
  /** The form has changes the preview (of the saved template) does not show. */
  dirty: boolean;
}

interface Shown {
  customerNumber: string;
  preview: Preview;
}

/** Renders the saved template for a real customer: subject, text, HTML (sandboxed) and their consent. */
export function TemplatePreview({ templateId, channel, version, dirty }: Props) {
  const id = useId();
  const [input, setInput] = useState('');
  const [requested, setRequested] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [shown, setShown] = useState<Shown | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ctrlRef = useRef<AbortController | null>(null);

  useEffect(() => {
    if (templateId === null || requested === null) return;
    const ctrl = new AbortController();
    ctrlRef.current?.abort();
    ctrlRef.current = ctrl;
    setLoading(true);
    setError(null);
    messagingApi.previewTemplate(templateId, requested, ctrl.signal).then(
      (preview) => {
        if (ctrl.signal.aborted) return;
        setShown({ customerNumber: requested, preview });
        setLoading(false);
      },
      (err: unknown) => {
        if (ctrl.signal.aborted || isAbort(err)) return;
        setError(err);
        setShown(null);
        setLoading(false);
      },
    );
    return () => ctrl.abort();
  }, [templateId, requested, version, tick]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const n = digitsOnly(input);
    if (!n) {
      setError(new Error('Enter a customer number.'));
      return;
    }
    setRequested(n);
    setTick((t) => t + 1);
  };

  const notFound = error instanceof ApiError && error.status === 404;
  const consents = shown ? shown.preview.consent[channel] : null;

  return (
    <section className="card msg-preview" aria-labelledby={`${id}-title`} data-testid="template-preview">
      <div className="card-head">
        <h2 id={`${id}-title`}>Preview for a customer</h2>
        {loading && <Spinner inline label="Rendering…" />}
      </div>
      {templateId === null ? (
        <p className="muted">Save the template to preview it with a real customer’s data.</p>
      ) : (
        <>
          <form className="msg-inline" onSubmit={submit} noValidate>
            <div className="field field-grow">
              <label htmlFor={`${id}-customer`}>Customer no.</label>
              <input
                id={`${id}-customer`}
                inputMode="numeric"
                autoComplete="off"
                placeholder="e.g. 1024"
                value={input}
                onChange={(e) => setInput(e.target.value)}
                data-testid="preview-customer"
              />
            </div>
            <button type="submit" className="btn" disabled={loading} data-testid="preview-button">
              Preview
            </button>
          </form>
          {dirty && shown && (
            <p className="hint msg-warn-text" role="status">
              The preview shows the saved template. Save to see your changes.
            </p>
          )}
          {error !== null &&
            (notFound ? (
              <div className="alert alert-error" role="alert">
                <span>There is no customer {requested}.</span>
              </div>
            ) : (
              <ErrorMessage error={error} onRetry={requested ? () => setTick((t) => t + 1) : undefined} />
            ))}
          {shown && (
            <div className="msg-preview-body" data-testid="preview-result" aria-live="polite">
              <p className="msg-preview-who">
                <Link to={customerPath(shown.customerNumber)}>Customer {shown.customerNumber}</Link>{' '}
                <span className={`pill ${consents ? 'pill-yes' : 'pill-no'}`} data-testid="preview-consent">
                  {consents ? `Consents to ${CHANNEL_LABELS[channel].toLowerCase()}` : `No ${CHANNEL_LABELS[channel].toLowerCase()} consent`}
                </span>
              </p>
              {!consents && (
                <p className="hint">This customer would be skipped: they do not currently consent to this channel.</p>
              )}
              <dl className="msg-preview-parts">
                <dt>Subject</dt>
                <dd data-testid="preview-subject">{shown.preview.subject}</dd>
                <dt>Text</dt>
                <dd>
                  <pre className="msg-pre" data-testid="preview-text">
                    {shown.preview.bodyText}
                  </pre>
                </dd>
                {shown.preview.bodyHtml !== null && (
                  <>
                    <dt>HTML</dt>
                    <dd>
                      <iframe
                        className="msg-preview-frame"
                        title={`HTML preview for customer ${shown.customerNumber}`}
                        sandbox=""
                        srcDoc={shown.preview.bodyHtml}
                        data-testid="preview-html"
                      />
                    </dd>
                  </>
                )}
              </dl>
            </div>
          )}
        </>
      )}
    </section>
  );
}
