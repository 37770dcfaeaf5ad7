import { useCallback, useEffect, useState } from 'react';
import { get, messageOf, post, postCsv, put, type Model, type Recalculation } from '../../appliances-api';
import { dateTime, yen } from './format';

/** The merchandise database: models, function code lists and tariffs; the production list; recalculations. */
export function CatalogPage(props: { isAdmin: boolean }) {
  const [models, setModels] = useState<Model[]>([]);
  const [recalcs, setRecalcs] = useState<Recalculation[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    get<{ items: Model[] }>('/api/appliance-models')
      .then((r) => setModels(r.items))
      .catch((e: unknown) => setError(messageOf(e)));
    get<{ items: Recalculation[] }>('/api/appliance-recalculations')
      .then((r) => setRecalcs(r.items))
      .catch(() => undefined);
  }, []);
  useEffect(load, [load]);

  const saveTariff = async (m: Model, code: string, field: 'perUseYen' | 'perMinuteYen', value: number) => {
    setError(null);
    try {
      const { model, ...rest } = m;
      await put(`/api/appliance-models/${encodeURIComponent(model)}`, {
        ...rest,
        functions: m.functions.map((f) => (f.code === code ? { ...f, [field]: value } : f)),
      });
      setMessage(`Saved ${model} ${code}`);
      load();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const upload = async (file: File) => {
    setError(null);
    try {
      const r = await postCsv<{ inserted: number; updated: number; rejected: { line: number; problems: { field: string; message: string }[] }[] }>(
        '/api/appliances/import',
        await file.text(),
      );
      setMessage(
        `Production list: ${r.inserted} new, ${r.updated} updated` +
          (r.rejected.length ? `; rejected lines ${r.rejected.map((x) => `${x.line} (${x.problems.map((p) => p.field).join(', ')})`).join(', ')}` : ''),
      );
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const recalculate = async () => {
    try {
      await post('/api/appliance-recalculations', {});
      setMessage('Recalculation queued');
      setTimeout(load, 1500);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <section>
      <h1>Catalog 商品データベース</h1>
      {message && <p className="ok">{message}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      {props.isAdmin && (
        <div className="toolbar">
          <label>
            Import production list (CSV: manufacturing_number,model,secret)
            <input type="file" accept=".csv,text/csv" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
          </label>
          <button type="button" onClick={() => void recalculate()}>
            Recalculate all analysis now
          </button>
        </div>
      )}
      {models.map((m) => (
        <table key={m.model}>
          <caption>
            <strong>{m.model}</strong> {m.name} — {m.productType}; monthly base {yen(m.monthlyBaseYen)}
            {m.discountThresholdMinutes ? `; ${m.discountPercent}% off usage from ${m.discountThresholdMinutes} min a month` : ''}
            {m.basicFunctions.length ? `; usable while locked: ${m.basicFunctions.join(', ')}` : ''}
            {m.additionalCodes.length ? `; additional codes: ${m.additionalCodes.map((a) => `${a.code} = ${a.name} (${a.unit})`).join(', ')}` : ''}
          </caption>
          <thead>
            <tr>
              <th>Code</th>
              <th>Function</th>
              <th className="n">Per use (¥)</th>
              <th className="n">Per minute (¥)</th>
            </tr>
          </thead>
          <tbody>
            {m.functions.map((f) => (
              <tr key={f.code}>
                <td>
                  <code>{f.code}</code>
                </td>
                <td>{f.name}</td>
                {(['perUseYen', 'perMinuteYen'] as const).map((field) => (
                  <td className="n" key={field}>
                    {props.isAdmin ? (
                      <input
                        type="number"
                        min={0}
                        step="0.5"
                        defaultValue={f[field]}
                        aria-label={`${m.model} ${f.code} ${field}`}
                        onBlur={(e) => Number(e.target.value) !== f[field] && void saveTariff(m, f.code, field, Number(e.target.value))}
                      />
                    ) : (
                      f[field]
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      <table>
        <caption>Recalculations (monthly on the 1st, and on demand)</caption>
        <thead>
          <tr>
            <th>#</th>
            <th>Months</th>
            <th>Requested</th>
            <th>Status</th>
            <th className="n">Rows corrected</th>
          </tr>
        </thead>
        <tbody>
          {recalcs.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td>{r.from ? `${r.from} – ${r.to}` : 'all'}</td>
              <td>
                {dateTime(r.requestedAt)} by {r.requestedBy}
              </td>
              <td>{r.error ? `failed: ${r.error}` : r.status}</td>
              <td className="n">{r.changedRows ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
