import { useRef, useState } from 'react';
import { messageOf } from '../../api';
import { formatDateTime } from '../../format';
import { uploadShippedList, type ShippedImportResult } from '../../products-api';

type State =
  | { phase: 'idle' }
  | { phase: 'uploading'; fraction: number }
  | { phase: 'processing' }
  | { phase: 'done'; result: ShippedImportResult }
  | { phase: 'error'; message: string };

/** The manufacturer's shipped list: count, last import, and a CSV upload with a progress bar. */
export function ShippedImport({ shipped, onImported }: { shipped: { count: number; lastImportedAt: string | null }; onImported: () => void }) {
  const [state, setState] = useState<State>({ phase: 'idle' });
  const input = useRef<HTMLInputElement>(null);
  const busy = state.phase === 'uploading' || state.phase === 'processing';

  const upload = async (file: File) => {
    setState({ phase: 'uploading', fraction: 0 });
    try {
      const result = await uploadShippedList(file, (fraction) =>
        setState(fraction >= 1 ? { phase: 'processing' } : { phase: 'uploading', fraction }),
      );
      setState({ phase: 'done', result });
      onImported();
    } catch (err) {
      setState({ phase: 'error', message: messageOf(err) });
    } finally {
      if (input.current) input.current.value = '';
    }
  };

  return (
    <section className="card" aria-labelledby="shipped-title">
      <h2 id="shipped-title">Shipped products</h2>
      <p>
        <strong>{shipped.count.toLocaleString()}</strong> serials on the manufacturer’s list
        {shipped.lastImportedAt ? `, last import ${formatDateTime(shipped.lastImportedAt)}` : ''}.
      </p>
      <p className="hint">
        Once a list exists, only serials on it can be registered — a made-up serial is refused. CSV columns:
        <code> maker,model,serial,category,ship_date</code>.
      </p>
      <label className="field">
        <span>Import a CSV file</span>
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          disabled={busy}
          data-testid="shipped-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void upload(file);
          }}
        />
      </label>
      {state.phase === 'uploading' && (
        <div className="prod-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(state.fraction * 100)}>
          <span style={{ width: `${state.fraction * 100}%` }} />
          <em>Uploading… {Math.round(state.fraction * 100)} %</em>
        </div>
      )}
      {state.phase === 'processing' && <p role="status">Processing…</p>}
      {state.phase === 'error' && (
        <p className="alert alert-error" role="alert">
          {state.message}
        </p>
      )}
      {state.phase === 'done' && (
        <div role="status" data-testid="shipped-result">
          <p className="alert alert-info">
            {state.result.inserted.toLocaleString()} inserted, {state.result.updated.toLocaleString()} updated,{' '}
            {state.result.rejected.length.toLocaleString()} rejected.
          </p>
          {state.result.rejected.length > 0 && (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {state.result.rejected.slice(0, 100).map((r) => (
                  <tr key={r.line}>
                    <td>{r.line}</td>
                    <td>{r.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
