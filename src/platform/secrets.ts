import { randomBytes } from 'node:crypto';
import type { ColumnType } from 'kysely';
import type { Db } from './db/database.js';

export interface PlatformTables {
  platform_secrets: { name: string; secret: Buffer; created_at: ColumnType<Date, never, never> };
}

/**
 * A named random secret kept in the database, created on first use: every app node signs and
 * checks with the same key without any configuration.
 */
export async function platformSecret(db: Db, name: string): Promise<Buffer> {
  await db
    .insertInto('platform_secrets')
    .values({ name, secret: randomBytes(32) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('platform_secrets').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
  return row.secret;
}
