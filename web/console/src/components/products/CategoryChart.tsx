import { CATEGORIES, CATEGORY_LABELS, type ProductCategory } from '../../products-api';

/** Registrations per category as horizontal bars; a bar is a button that filters by it. */
export function CategoryChart({
  counts,
  onPick,
  active,
}: {
  counts: { category: ProductCategory; count: number }[];
  onPick: (category: ProductCategory) => void;
  active?: string | undefined;
}) {
  const byCategory = new Map(counts.map((c) => [c.category, c.count]));
  const max = Math.max(1, ...counts.map((c) => c.count));
  const total = counts.reduce((a, c) => a + c.count, 0);
  return (
    <div className="prod-chart" data-testid="category-chart">
      <p className="muted">{total.toLocaleString()} registered products</p>
      <ul>
        {CATEGORIES.map((c) => {
          const n = byCategory.get(c) ?? 0;
          return (
            <li key={c}>
              <button type="button" className={`prod-bar${active === c ? ' prod-bar-active' : ''}`} onClick={() => onPick(c)} aria-pressed={active === c}>
                <span className="prod-bar-label">{CATEGORY_LABELS[c]}</span>
                <span className="prod-bar-track" aria-hidden="true">
                  <span className="prod-bar-fill" style={{ width: `${(n / max) * 100}%` }} />
                </span>
                <span className="prod-bar-count">{n.toLocaleString()}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
