import type { ColumnType, Generated } from 'kysely';

export interface StoresTable {
  id: Generated<number>;
  code: string;
  name: string;
  created_at: ColumnType<Date, never, never>;
}

export interface FacilitiesTable {
  id: Generated<number>;
  code: string;
  name: string;
  created_at: ColumnType<Date, never, never>;
}

export interface PartnersTable {
  id: Generated<number>;
  code: string;
  name: string;
  granted_fields: ColumnType<string[], string[] | undefined, string[]>;
  created_at: ColumnType<Date, never, never>;
}

export interface OrganisationsTables {
  stores: StoresTable;
  facilities: FacilitiesTable;
  partners: PartnersTable;
}
