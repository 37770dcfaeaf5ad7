import { useEffect, useState, type FormEvent } from 'react';
import { get, messageOf, type CustomerAppliances } from '../../appliances-api';
import { currentMonth, dateTime, duration, num, yen } from './format';
import { customerPath, Link, navigate } from '../../router';
import { appliancePaths } from './paths';

/** FIG. 8(a): a customer's appliances, with usage and charge per appliance and function. */
export function CustomerPage(props: { customerNumber: string | null; month: string | null }) {
  const month = props.month ?? currentMonth();
  const [input, setInput] = useState(props.customerNumber ?? '');
  const [data, setData] = useState<CustomerAppliances | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setData(null);
    setError(null);
    if (!props.customerNumber) return;
    get<CustomerAppliances>(`/api/customers/${encodeURIComponent(props.customerNumber)}/appliances?month=${month}`)
      .then(setData)
      .catch((e: unknown) => setError(messageOf(e)));
  }, [props.customerNumber, month]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (input.trim()) navigate(appliancePaths.customer(input.trim(), month));
  };

  return (
    <section>
      <h1>Customer usage and charges 顧客別利用料金</h1>
      <form className="toolbar" onSubmit={submit}>
        <label>
          Customer number
          <input value={input} onChange={(e) => setInput(e.target.value)} inputMode="numeric" placeholder="100001" />
        </label>
        <label>
          Month
          <input type="month" value={month} onChange={(e) => e.target.value && props.customerNumber && navigate(appliancePaths.customer(props.customerNumber, e.target.value))} />
        </label>
        <button type="submit">Show</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      {data && (
        <>
          <p>
            Customer <Link to={customerPath(data.customerNumber)}>{data.customerNumber}</Link> — {data.appliances.length} appliance(s).{' '}
            {data.bill && (
              <>
                Bill {month}: <strong>{yen(data.bill.totalYen)}</strong> ({data.bill.status}
                {data.bill.hasLateUsage ? ', with late usage' : ''}) —{' '}
                <Link to={appliancePaths.billing(month, data.customerNumber)}>details</Link>
              </>
            )}
          </p>
          {data.appliances.map((a) => (
            <table key={a.manufacturingNumber}>
              <caption>
                {a.modelName} <code>{a.manufacturingNumber}</code> {a.current ? '' : '(no longer theirs)'} — since {dateTime(a.registrations[0]?.registeredAt ?? null)}
                {a.registrations[0]?.area ? `, ${a.registrations[0].area}` : ''}
              </caption>
              <thead>
                <tr>
                  <th>Function</th>
                  <th className="n">Uses {month}</th>
                  <th className="n">Time {month}</th>
                  <th className="n">Charge {month}</th>
                  <th className="n">Uses total</th>
                  <th className="n">Time total</th>
                  <th>Last use</th>
                </tr>
              </thead>
              <tbody>
                {a.functions.map((f) => (
                  <tr key={f.functionCode}>
                    <td>
                      {f.functionCode} {f.name}
                    </td>
                    <td className="n">{num(f.monthUses)}</td>
                    <td className="n">{duration(f.monthSec)}</td>
                    <td className="n">{yen(f.monthChargeYen)}</td>
                    <td className="n">{num(f.totalUses)}</td>
                    <td className="n">{duration(f.totalSec)}</td>
                    <td>{dateTime(f.lastUseAt)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <td>This month</td>
                  <td />
                  <td className="n">{duration(a.monthSec)}</td>
                  <td className="n">{yen(a.monthChargeYen)}</td>
                  <td colSpan={3} />
                </tr>
              </tfoot>
            </table>
          ))}
        </>
      )}
    </section>
  );
}
