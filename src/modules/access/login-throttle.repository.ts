import type { Executor } from '../../platform/db/database.js';

export const loginThrottleRepository = {
  /** Failures per key since `since`, and the oldest of them (to tell when the window frees up). */
  async failuresSince(db: Executor, keys: string[], since: Date) {
    if (keys.length === 0) return [];
    return db
      .selectFrom('auth_failures')
      .select(['key', (eb) => eb.fn.countAll<number>().as('count'), (eb) => eb.fn.min('at').as('oldest')])
      .where('key', 'in', keys)
      .where('at', '>', since)
      .groupBy('key')
      .execute();
  },
  async insert(db: Executor, keys: string[]) {
    if (keys.length === 0) return;
    await db.insertInto('auth_failures').values(keys.map((key) => ({ key }))).execute();
  },
  async clear(db: Executor, key: string) {
    await db.deleteFrom('auth_failures').where('key', '=', key).execute();
  },
  async purgeBefore(db: Executor, before: Date) {
    await db.deleteFrom('auth_failures').where('at', '<', before).execute();
  },
};
