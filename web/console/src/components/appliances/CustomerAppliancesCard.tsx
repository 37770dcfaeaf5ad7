import { useId } from 'react';
import { canUseAppliances, get, type CustomerAppliances } from '../../appliances-api';
import { useResource } from '../../hooks';
import { Link } from '../../router';
import { useSession } from '../../session';
import { appliancePaths } from '../../pages/appliances/paths';
import { currentMonth, yen } from '../../pages/appliances/format';
import { ErrorMessage, Spinner } from '../ui';

/** The appliances a customer uses, with this month's charge, on the customer page (admin and sales). */
export function CustomerAppliancesCard({ customerNumber }: { customerNumber: string }) {
  const { staff } = useSession();
  return canUseAppliances(staff) ? <AppliancesCard customerNumber={customerNumber} /> : null;
}

function AppliancesCard({ customerNumber }: { customerNumber: string }) {
  const month = currentMonth();
  const res = useResource(`customer-appliances:${customerNumber}:${month}`, () =>
    get<CustomerAppliances>(`/api/customers/${encodeURIComponent(customerNumber)}/appliances?month=${month}`),
  );
  const id = useId();
  const items = res.data?.appliances;
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="customer-appliances">
      <div className="card-head">
        <h2 id={`${id}-title`}>Appliances</h2>
        {items && <span className="count">{items.length}</span>}
      </div>
      {res.error !== null && <ErrorMessage error={res.error} onRetry={res.reload} />}
      {!items ? (
        res.loading && <Spinner label="Loading appliances…" />
      ) : items.length === 0 ? (
        <p className="muted">No connected appliances</p>
      ) : (
        <>
          <ul>
            {items.map((a) => (
              <li key={a.manufacturingNumber}>
                {a.modelName} <span className="muted">({a.manufacturingNumber})</span> — {month}: {yen(a.monthChargeYen)}
                {!a.current && <span className="muted"> (no longer registered to this customer)</span>}
              </li>
            ))}
          </ul>
          <p>
            <Link to={appliancePaths.customer(customerNumber, month)}>Usage and charges</Link>
          </p>
        </>
      )}
    </section>
  );
}
