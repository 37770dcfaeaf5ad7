import { useCallback, useEffect, useState } from 'react';
import { get, messageOf, post, type Bill, type BillingMonth } from '../../appliances-api';
import { addMonths, currentMonth, dateTime, num, yen } from './format';
import { Link, navigate } from '../../router';
import { appliancePaths } from './paths';

/** FIG. 8(b): the charge calculation of a month, bills, closing the month, payments and receipts. */
export function BillingPage(props: { month: string | null; customerNumber: string | null; isAdmin: boolean }) {
  const month = props.month ?? addMonths(currentMonth(), -1);
  const [data, setData] = useState<BillingMonth | null>(null);
  const [bills, setBills] = useState<Bill[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    setError(null);
    get<BillingMonth>(`/api/appliance-billing/${month}`)
      .then(setData)
      .catch((e: unknown) => setError(messageOf(e)));
    if (props.customerNumber) {
      get<{ bills: Bill[] }>(`/api/appliance-billing/${month}/customers/${encodeURIComponent(props.customerNumber)}`)
        .then((r) => setBills(r.bills))
        .catch((e: unknown) => setError(messageOf(e)));
    } else setBills(null);
  }, [month, props.customerNumber]);
  useEffect(load, [load]);

  const close = async () => {
    if (!window.confirm(`Close ${month}? Its bills are issued and frozen; records that arrive later go on the next bill.`)) return;
    setBusy(true);
    try {
      await post(`/api/appliance-billing/${month}/close`);
      load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const pay = async (billId: number) => {
    try {
      await post(`/api/appliance-bills/${billId}/payment`, {});
      load();
    } catch (e) {
      setError(messageOf(e));
    }
  };

  return (
    <section>
      <h1>Charge calculation 料金計算</h1>
      <div className="toolbar">
        <button type="button" onClick={() => navigate(appliancePaths.billing(addMonths(month, -1)))} aria-label="Previous month">
          ◀
        </button>
        <label>
          Month
          <input type="month" value={month} onChange={(e) => e.target.value && navigate(appliancePaths.billing(e.target.value))} />
        </label>
        <button type="button" onClick={() => navigate(appliancePaths.billing(addMonths(month, 1)))} aria-label="Next month">
          ▶
        </button>
        {data && (
          <span className={`badge ${data.status}`} data-testid="month-status">
            {data.status === 'closed' ? `closed ${dateTime(data.closedAt)} by ${data.closedBy}` : 'open (provisional)'}
          </span>
        )}
        {props.isAdmin && data?.status === 'open' && month < currentMonth() && (
          <button type="button" className="danger" onClick={() => void close()} disabled={busy}>
            Close {month} and issue bills
          </button>
        )}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {bills && (
        <div className="bill-detail">
          {bills.length === 0 && <p className="muted">No bill for customer {props.customerNumber} in {month}.</p>}
          {bills.map((b) => (
            <table key={b.id ?? 'provisional'} data-testid="bill">
              <caption>
                {b.status === 'provisional' ? 'Provisional bill' : `Bill ${b.number}`} — {b.customerName ?? '(no name)'} ({b.customerNumber}) —{' '}
                <a href={b.id ? `/api/appliance-bills/${b.id}/bill.pdf` : `/api/appliance-billing/${month}/customers/${b.customerNumber}/bill.pdf`} target="_blank" rel="noreferrer">
                  PDF
                </a>
                {b.paidAt && b.id && (
                  <>
                    {' '}
                    ·{' '}
                    <a href={`/api/appliance-bills/${b.id}/receipt.pdf`} target="_blank" rel="noreferrer">
                      Receipt
                    </a>
                  </>
                )}
                {props.isAdmin && b.id && !b.paidAt && (
                  <>
                    {' '}
                    ·{' '}
                    <button type="button" className="link" onClick={() => void pay(b.id!)}>
                      Record payment
                    </button>
                  </>
                )}
              </caption>
              <thead>
                <tr>
                  <th>Appliance</th>
                  <th>Item</th>
                  <th className="n">Amount</th>
                </tr>
              </thead>
              <tbody>
                {b.lines.map((l, i) => (
                  <tr key={i} className={l.kind === 'late_usage' ? 'late' : l.kind}>
                    <td>
                      <code>{l.manufacturingNumber}</code>
                    </td>
                    <td>{l.description}</td>
                    <td className="n">{yen(l.amountYen)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <td colSpan={2}>Subtotal / discount / total</td>
                  <td className="n">
                    {yen(b.subtotalYen)} / −{yen(b.discountYen)} / <strong>{yen(b.totalYen)}</strong>
                  </td>
                </tr>
              </tfoot>
            </table>
          ))}
        </div>
      )}
      {data && (
        <table data-testid="charges">
          <caption>
            {num(data.totals.customers)} customers · total {yen(data.totals.totalYen)} (discounts {yen(data.totals.discountYen)})
          </caption>
          <thead>
            <tr>
              <th>Customer</th>
              <th>Bill</th>
              <th className="n">Usage</th>
              <th className="n">Subtotal</th>
              <th className="n">Discount</th>
              <th className="n">Total</th>
              <th>Paid</th>
            </tr>
          </thead>
          <tbody>
            {data.customers.map((c) => (
              <tr key={`${c.customerNumber}-${c.billId ?? 0}`}>
                <td>
                  <Link to={appliancePaths.billing(month, c.customerNumber)}>
                    {c.name ?? '(no name)'} ({c.customerNumber})
                  </Link>
                </td>
                <td>
                  {c.number ?? 'provisional'}
                  {c.hasLateUsage && <span className="badge late">late usage</span>}
                </td>
                <td className="n">{num(c.usageMinutes)} min</td>
                <td className="n">{yen(c.subtotalYen)}</td>
                <td className="n">{yen(c.discountYen)}</td>
                <td className="n">{yen(c.totalYen)}</td>
                <td>{c.paidAt ? dateTime(c.paidAt) : '—'}</td>
              </tr>
            ))}
            {data.customers.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No charges in {month}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
