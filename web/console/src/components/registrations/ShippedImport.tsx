import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, isAbort } from '../../api';
import { formatDateTime } from '../../format';
import { recheckSession, uploadShippedList, type ShippedImportResult, type ShippedStats, type Upload } from '../../admin-api';
import { ErrorMessage } from '../ui';

type Phase =
  | { name: 'idle' }
  | { name: 'uploading'; loaded: number; total: number }
  | { name: 'processing'; done: number; total: number | null }
  | { name: 'done'; result: ShippedImportResult; fileName: string }
  | { name: 'failed'; error: unknown };

const SHOWN_REJECTIONS = 200;

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The manufacturer's shipped list: how many serials it holds, when it was last imported, and a CSV
 * upload with a progress bar, then the server's answer with the lines it turned down.
 */
export function ShippedImport({ shipped, onImported }: { shipped: ShippedStats; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [phase, setPhase] = useState<Phase>({ name: 'idle' });
  const upload = useRef<Upload<ShippedImportResult> | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const busy = phase.name === 'uploading' || phase.name === 'processing';

  // Leaving the page cancels an upload still in flight.
  useEffect(() => () => upload.current?.abort(), []);

  const start = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || busy) return;
    setPhase({ name: 'uploading', loaded: 0, total: file.size });
    const current = uploadShippedList(file, {
      onProgress: (loaded, total) => setPhase({ name: 'uploading', loaded, total }),
      onUploaded: () => setPhase({ name: 'processing', done: 0, total: null }),
      onProcessed: (done, total) => setPhase({ name: 'processing', done, total }),
    });
    upload.current = current;
    try {
      const result = await current.promise;
      setPhase({ name: 'done', result, fileName: file.name });
      setFile(null);
      if (input.current) input.current.value = '';
      onImported();
    } catch (err) {
      if (isAbort(err)) {
        setPhase({ name: 'idle' });
        return;
      }
      if (err instanceof ApiError && err.status === 401) recheckSession();
      setPhase({ name: 'failed', error: err });
    } finally {
      if (upload.current === current) upload.current = null;
    }
  };

  const percent = phase.name === 'uploading' && phase.total > 0 ? Math.min(100, Math.round((phase.loaded / phase.total) * 100)) : 0;
  const processed = phase.name === 'processing' && phase.total ? Math.min(100, Math.round((phase.done / phase.total) * 100)) : null;

  return (
    <section className="card reg-shipped" aria-labelledby={`${id}-title`} data-testid="shipped">
      <div className="card-head">
        <h2 id={`${id}-title`}>Shipped list</h2>
      </div>
      <dl className="reg-stats">
        <div>
          <dt>Serials on the list</dt>
          <dd data-testid="shipped-count">{shipped.count.toLocaleString()}</dd>
        </div>
        <div>
          <dt>Last import</dt>
          <dd>
            {shipped.lastImportedAt ? (
              <time dateTime={shipped.lastImportedAt}>{formatDateTime(shipped.lastImportedAt)}</time>
            ) : (
              <span className="muted">Never</span>
            )}
          </dd>
        </div>
      </dl>
      <p className="hint">
        Once a shipped list exists, serials that are not on it can’t be registered. Importing adds new serials and updates
        known ones; nothing is removed.
      </p>

      <form className="reg-upload" onSubmit={start} aria-label="Import a shipped list">
        <div className="field">
          <label htmlFor={`${id}-file`}>CSV file</label>
          <input
            ref={input}
            id={`${id}-file`}
            type="file"
            accept=".csv,text/csv"
            disabled={busy}
            aria-describedby={`${id}-columns`}
            data-testid="shipped-file"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              if (!busy) setPhase({ name: 'idle' });
            }}
          />
          <p id={`${id}-columns`} className="hint">
            Columns: <code>maker,model,serial,category,ship_date</code> (a header row, dates as YYYY-MM-DD).
          </p>
        </div>
        <div className="reg-upload-actions">
          <button type="submit" className="btn btn-primary" disabled={!file || busy} data-testid="shipped-import">
            {file ? `Import ${formatBytes(file.size)}` : 'Import'}
          </button>
          {phase.name === 'uploading' && (
            <button type="button" className="btn" onClick={() => upload.current?.abort()}>
              Cancel
            </button>
          )}
        </div>
      </form>

      <div className="reg-upload-state">
        {phase.name === 'uploading' && (
          <Progress label="Upload" percent={percent} valueText={`${percent}% uploaded`} testId="shipped-progress">
            Uploading… {percent}% ({formatBytes(phase.loaded)} of {formatBytes(phase.total)})
          </Progress>
        )}
        {phase.name === 'processing' && processed === null && (
          <div className="reg-progress-wrap">
            <div className="reg-progress reg-progress-busy" aria-hidden="true">
              <span className="reg-progress-fill" />
            </div>
            <p className="reg-progress-text muted" role="status">
              Processing… the server is reading the file.
            </p>
          </div>
        )}
        {phase.name === 'processing' && processed !== null && (
          <Progress
            label="Import"
            percent={processed}
            valueText={`${phase.done.toLocaleString()} of ${phase.total!.toLocaleString()} lines checked`}
            testId="shipped-processing"
          >
            Checking and saving… {processed}% ({phase.done.toLocaleString()} of {phase.total!.toLocaleString()} lines)
          </Progress>
        )}
        {phase.name === 'failed' && <ErrorMessage error={phase.error} />}
        {phase.name === 'done' && <ImportResult result={phase.result} fileName={phase.fileName} />}
      </div>
    </section>
  );
}

function Progress(props: { label: string; percent: number; valueText: string; testId: string; children: ReactNode }) {
  return (
    <div className="reg-progress-wrap">
      <div
        className="reg-progress"
        role="progressbar"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={props.percent}
        aria-valuetext={props.valueText}
        data-testid={props.testId}
      >
        <span className="reg-progress-fill" style={{ width: `${props.percent}%` }} />
      </div>
      <p className="reg-progress-text muted">{props.children}</p>
    </div>
  );
}

function ImportResult({ result, fileName }: { result: ShippedImportResult; fileName: string }) {
  const rejected = result.rejected.length;
  return (
    <div className="reg-result" data-testid="shipped-result">
      <p className={`alert ${rejected ? 'reg-alert-warn' : 'reg-alert-ok'}`} role="status">
        <span>
          <strong>{fileName}</strong>: {result.inserted.toLocaleString()} inserted, {result.updated.toLocaleString()} updated,{' '}
          {rejected.toLocaleString()} rejected.
        </span>
      </p>
      {rejected > 0 && (
        <>
          <h3 className="reg-result-title">Rejected lines</h3>
          <div className="reg-scroll">
            <table className="table reg-rejected" data-testid="shipped-rejected">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Problems</th>
                </tr>
              </thead>
              <tbody>
                {result.rejected.slice(0, SHOWN_REJECTIONS).map((r) => (
                  <tr key={r.line}>
                    <td className="mono">{r.line}</td>
                    <td>
                      <ul className="reg-problems">
                        {r.problems.map((p, i) => (
                          <li key={i}>
                            <code>{p.field}</code> {p.message}
                          </li>
                        ))}
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rejected > SHOWN_REJECTIONS && (
            <p className="hint">
              The first {SHOWN_REJECTIONS} of {rejected.toLocaleString()} rejected lines are shown. Correct them and import the file
              again; lines already imported are only updated.
            </p>
          )}
        </>
      )}
    </div>
  );
}
