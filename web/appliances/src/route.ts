import { useEffect, useState } from 'react';

/**
 * Hash routes (#/analysis, #/customer/100001/2026-10, #/billing/2026-10, #/catalog): the
 * console surface serves this app's files under /appliances/ and sends the console's own
 * page for any other path, so the app keeps its place in the fragment.
 */
export type Route =
  | { name: 'analysis' }
  | { name: 'customer'; customerNumber: string | null; month: string | null }
  | { name: 'billing'; month: string | null; customerNumber: string | null }
  | { name: 'catalog' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const month = (s: string | undefined) => (s && /^\d{4}-\d{2}$/.test(s) ? s : null);
  switch (parts[0]) {
    case 'customer':
      return { name: 'customer', customerNumber: parts[1] ?? null, month: month(parts[2]) };
    case 'billing':
      return { name: 'billing', month: month(parts[1]), customerNumber: parts[2] ?? null };
    case 'catalog':
      return { name: 'catalog' };
    default:
      return { name: 'analysis' };
  }
}

export function go(path: string): void {
  window.location.hash = `#${path}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
