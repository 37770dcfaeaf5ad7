import { formatDateTime } from '../../format';
import { customerPath, Link } from '../../router';
import { categoryLabel, productPath, type Product } from '../../admin-api';

const SOURCE_LABELS: Record<string, string> = {
  agent: 'PC agent',
  console: 'Console',
  ingest: 'Store terminal',
};

export const sourceLabel = (source: string) => SOURCE_LABELS[source] ?? source;

interface Props {
  items: Product[];
  /** Leave out the owner column where every row has the same owner. */
  showOwner?: boolean;
  /** Leave out "Found on" where every row was found on the same PC. */
  showParent?: boolean;
  caption?: string;
  testId?: string;
}

/** Registered products, one row each; the serial links to the product page. Stacks into cards on a phone. */
export function ProductTable({ items, showOwner = true, showParent = true, caption, testId = 'products' }: Props) {
  return (
    <table className="table table-stack reg-table" data-testid={testId}>
      {caption && <caption className="visually-hidden">{caption}</caption>}
      <thead>
        <tr>
          <th scope="col">Serial</th>
          <th scope="col">Product</th>
          <th scope="col">Category</th>
          {showParent && <th scope="col">Found on</th>}
          {showOwner && <th scope="col">Owner</th>}
          <th scope="col">Registered</th>
        </tr>
      </thead>
      <tbody>
        {items.map((p) => (
          <tr key={p.id} data-testid="product-row" data-serial={p.serial}>
            <td data-label="Serial" className="mono">
              <Link to={productPath(p.id)}>{p.serial}</Link>
            </td>
            <td data-label="Product">
              <span>
                <span className="reg-maker">{p.maker}</span> {p.model}
              </span>
            </td>
            <td data-label="Category">
              <span className={`reg-cat reg-cat-${p.category}`}>{categoryLabel(p.category)}</span>
            </td>
            {showParent && (
              <td data-label="Found on" className="mono">
                {p.parentSerial ?? <span className="muted">—</span>}
              </td>
            )}
            {showOwner && (
              <td data-label="Owner" className="mono">
                <Link to={customerPath(p.customerNumber)} aria-label={`Customer ${p.customerNumber}`}>
                  {p.customerNumber}
                </Link>
              </td>
            )}
            <td data-label="Registered">
              <span>
                <time dateTime={p.registeredAt}>{formatDateTime(p.registeredAt)}</time>
                <span className="reg-source muted"> · {sourceLabel(p.source)}</span>
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
