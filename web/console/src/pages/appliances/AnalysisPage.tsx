import { useEffect, useMemo, useState } from 'react';
import { get, messageOf, type Analysis, type Selection } from '../../appliances-api';
import { BarChart } from './charts';
import { addMonths, currentMonth, duration, num, PRODUCT_TYPE_NAMES } from './format';

/** FIG. 7: pick a product type (or model) and a function → customers, time, per person per month, histograms, areas. */
export function AnalysisPage() {
  const [selection, setSelection] = useState<Selection | null>(null);
  const [productType, setProductType] = useState('');
  const [model, setModel] = useState('');
  const [fn, setFn] = useState('');
  const [to, setTo] = useState(currentMonth());
  const [from, setFrom] = useState(addMonths(currentMonth(), -11));
  const [analysis, setAnalysis] = useState<Analysis | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    get<Selection>('/api/appliance-analysis/selection')
      .then((s) => {
        setSelection(s);
        // Start with the product type most appliances are registered for.
        const registered = (t: Selection['productTypes'][number]) => t.models.reduce((n, m) => n + m.registered, 0);
        const first = [...s.productTypes].sort((x, y) => registered(y) - registered(x))[0];
        if (first) setProductType(first.productType);
      })
      .catch((e: unknown) => setError(messageOf(e)));
  }, []);

  const type = selection?.productTypes.find((t) => t.productType === productType);

  useEffect(() => {
    if (!productType) return;
    const q = new URLSearchParams({ productType, from, to });
    if (model) q.set('model', model);
    if (fn) q.set('function', fn);
    setLoading(true);
    setError(null);
    const controller = new AbortController();
    get<Analysis>(`/api/appliance-analysis?${q}`)
      .then((a) => !controller.signal.aborted && setAnalysis(a))
      .catch((e: unknown) => !controller.signal.aborted && setError(messageOf(e)))
      .finally(() => !controller.signal.aborted && setLoading(false));
    return () => controller.abort();
  }, [productType, model, fn, from, to]);

  const monthly = useMemo(() => {
    if (!analysis) return [];
    const months: string[] = [];
    for (let m = analysis.scope.from.slice(0, 7); m <= analysis.scope.to.slice(0, 7); m = addMonths(m, 1)) months.push(m);
    return months.map((m) => ({
      label: m.slice(2),
      value: Math.round(analysis.monthly.filter((x) => x.month.startsWith(m)).reduce((s, x) => s + x.totalSec, 0) / 3600),
    }));
  }, [analysis]);

  return (
    <section>
      <h1>Usage analysis 利用分析</h1>
      <div className="toolbar" role="group" aria-label="What to analyse">
        <label>
          Product type
          <select value={productType} onChange={(e) => (setProductType(e.target.value), setModel(''), setFn(''))} data-testid="product-type">
            {selection?.productTypes.map((t) => (
              <option key={t.productType} value={t.productType}>
                {PRODUCT_TYPE_NAMES[t.productType] ?? t.productType}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select value={model} onChange={(e) => setModel(e.target.value)} data-testid="model">
            <option value="">All models</option>
            {type?.models.map((m) => (
              <option key={m.model} value={m.model}>
                {m.model} — {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Function
          <select value={fn} onChange={(e) => setFn(e.target.value)} data-testid="function">
            <option value="">All functions</option>
            {type?.functions.map((f) => (
              <option key={f.code} value={f.code}>
                {f.code} {f.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="month" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
        </label>
        <label>
          To
          <input type="month" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
        </label>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {loading && !analysis && <p className="muted">Loading…</p>}
      {analysis && (
        <div className={loading ? 'stale' : ''} data-testid="analysis" data-function={analysis.scope.functionCode ?? ''}>
          <div className="cards">
            <div className="card">
              <span className="label">Registered customers 登録顧客数</span>
              <strong data-testid="registered-customers">{num(analysis.registeredCustomers)}</strong>
              <span className="muted">{num(analysis.registeredAppliances)} appliances</span>
            </div>
            <div className="card">
              <span className="label">Total usage time 総利用時間</span>
              <strong>{duration(analysis.totals.totalSec)}</strong>
              <span className="muted">{num(analysis.totals.uses)} uses</span>
            </div>
            <div className="card">
              <span className="label">Months</span>
              <strong>{analysis.scope.months}</strong>
              <span className="muted">
                {analysis.scope.from.slice(0, 7)} – {analysis.scope.to.slice(0, 7)}
              </span>
            </div>
          </div>
          <table>
            <caption>Per function 機能別</caption>
            <thead>
              <tr>
                <th>Function</th>
                <th className="n">Uses</th>
                <th className="n">Total time</th>
                <th className="n">Users</th>
                <th className="n">Per user · month</th>
                <th className="n">Per customer · month</th>
              </tr>
            </thead>
            <tbody>
              {analysis.functions.map((f) => (
                <tr key={f.functionCode}>
                  <td>
                    <button type="button" className="link" onClick={() => setFn(f.functionCode)}>
                      {f.functionCode} {f.name}
                    </button>
                  </td>
                  <td className="n">{num(f.uses)}</td>
                  <td className="n">{duration(f.totalSec)}</td>
                  <td className="n">{num(f.users)}</td>
                  <td className="n">{duration(f.perUserMonthSec)}</td>
                  <td className="n">{duration(f.perCustomerMonthSec)}</td>
                </tr>
              ))}
              {analysis.functions.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No usage in these months.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <div className="charts">
            <BarChart
              testId="duration-chart"
              title={`Uses by duration (minutes)${analysis.scope.functionCode ? ` — ${analysis.scope.functionCode}` : ''} 利用時間の分布`}
              bars={analysis.durationHistogram.map((b) => ({ label: b.bucket >= 24 ? '120+' : String(b.bucket * 5), value: b.uses }))}
            />
            <BarChart testId="hour-chart" title="Uses by hour of day 時間帯別" bars={analysis.hourOfDay.map((h) => ({ label: String(h.hour), value: h.uses }))} tickEvery={3} />
            <BarChart testId="weekday-chart" title="Uses by weekday 曜日別" bars={analysis.weekday.map((w) => ({ label: w.label, value: w.uses }))} />
            <BarChart testId="monthly-chart" title="Usage hours per month 月別利用時間 (h)" bars={monthly} />
          </div>
          <div className="two">
            <table>
              <caption>Per area 地域別</caption>
              <thead>
                <tr>
                  <th>Area</th>
                  <th className="n">Customers</th>
                  <th className="n">Uses</th>
                  <th className="n">Time</th>
                </tr>
              </thead>
              <tbody>
                {analysis.areas.map((a) => (
                  <tr key={a.area}>
                    <td>{a.area}</td>
                    <td className="n">{num(a.customers)}</td>
                    <td className="n">{num(a.uses)}</td>
                    <td className="n">{duration(a.totalSec)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table>
              <caption>Ownership 所有台数 (customers owning this type)</caption>
              <thead>
                <tr>
                  <th className="n">Appliances per customer</th>
                  <th className="n">Customers</th>
                </tr>
              </thead>
              <tbody>
                {analysis.ownership.map((o) => (
                  <tr key={o.appliances}>
                    <td className="n">{o.appliances}</td>
                    <td className="n">{num(o.customers)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </section>
  );
}
