import { CATEGORIES, categoryLabel } from '../../admin-api';

interface Props {
  counts: { category: string; count: number }[];
  /** The category the list is filtered by, if any. */
  active: string | undefined;
  /** Filter by a category; the active one again clears the filter. */
  onPick: (category: string | undefined) => void;
}

/**
 * Registrations per category as horizontal bars, every category shown even at zero. Each bar is a
 * toggle button that filters the list below by its category.
 */
export function CategoryChart({ counts, active, onPick }: Props) {
  const byCategory = new Map(counts.map((c) => [c.category, c.count]));
  const rows = [
    ...CATEGORIES.map((category) => ({ category, count: byCategory.get(category) ?? 0 })),
    ...counts.filter((c) => !(CATEGORIES as readonly string[]).includes(c.category)),
  ];
  const total = rows.reduce((sum, r) => sum + r.count, 0);
  const max = Math.max(1, ...rows.map((r) => r.count));

  return (
    <div className="reg-chart" data-testid="category-chart">
      <p className="reg-chart-total">
        <strong data-testid="registrations-total">{total.toLocaleString()}</strong>{' '}
        <span className="muted">registered product{total === 1 ? '' : 's'}</span>
      </p>
      <ul className="reg-bars" aria-label="Registrations per category">
        {rows.map((r) => {
          const pressed = active === r.category;
          const share = total ? Math.round((r.count / total) * 100) : 0;
          return (
            <li key={r.category}>
              <button
                type="button"
                className="reg-bar"
                aria-pressed={pressed}
                title={pressed ? 'Show all categories' : `Show only ${categoryLabel(r.category)}`}
                onClick={() => onPick(pressed ? undefined : r.category)}
                data-testid={`category-bar-${r.category}`}
              >
                <span className="reg-bar-label">{categoryLabel(r.category)}</span>
                <span className="reg-bar-track" aria-hidden="true">
                  <span className="reg-bar-fill" style={{ width: `${(r.count / max) * 100}%`, minWidth: r.count ? 3 : 0 }} />
                </span>
                <span className="reg-bar-count">
                  {r.count.toLocaleString()}
                  <span className="reg-bar-share"> {share}%</span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
      <p className="hint">Choose a bar to show only that category.</p>
    </div>
  );
}
