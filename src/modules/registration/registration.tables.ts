import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type ProductCategory = 'pc' | 'printer' | 'scanner' | 'terminal_adapter' | 'storage' | 'other';

export interface ShippedProductsTable {
  serial: string;
  maker: string;
  model: string;
  category: ProductCategory;
  shipped_on: string | null;
  imported_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ProductRegistrationsTable {
  id: Generated<number>;
  customer_id: number;
  serial: string;
  maker: string;
  model: string;
  category: ProductCategory;
  parent_id: number | null;
  details: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  source: string;
  registered_at: ColumnType<Date, Date | undefined, never>;
}

export interface RegistrationTables {
  shipped_products: ShippedProductsTable;
  product_registrations: ProductRegistrationsTable;
}
