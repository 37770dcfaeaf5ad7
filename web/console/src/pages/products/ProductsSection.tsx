import '../../products.css';
import { ApiKeysPage } from './ApiKeysPage';
import { ProductPage } from './ProductPage';
import { RegistrationsPage } from './RegistrationsPage';

/** Paths this section answers: registrations, product pages, API keys. */
export function isProductsPath(pathname: string): boolean {
  return /^\/(registrations(\/\d+)?|admin\/keys)\/?$/.test(pathname);
}

export function ProductsSection({ pathname }: { pathname: string }) {
  const product = /^\/registrations\/(\d+)\/?$/.exec(pathname);
  if (product) return <ProductPage key={product[1]} id={product[1]!} />;
  if (pathname.startsWith('/admin/keys')) return <ApiKeysPage />;
  return <RegistrationsPage />;
}
