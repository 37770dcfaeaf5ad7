import type { Config } from '../../config.js';
import type { Db } from '../../platform/db/database.js';
import { RateLimitedError } from '../../platform/errors.js';
import { loginThrottleRepository as repo } from './login-throttle.repository.js';

export interface ThrottleSubject {
  /** e.g. 'console:alice' or 'portal:1234567890' */
  account: string;
  ip: string;
}

/**
 * Guards every password and PIN check against guessing: too many failures for one account
 * or from one IP within the window and further attempts are refused before any check runs.
 * Kept in PostgreSQL so several app nodes share the count.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Db,
    private readonly settings: Config['loginThrottle'],
  ) {}

  private keys(s: ThrottleSubject) {
    return { account: `account:${s.account.toLowerCase()}`, ip: `ip:${s.ip}` };
  }

  async assertAllowed(subject: ThrottleSubject): Promise<void> {
    const keys = this.keys(subject);
    const since = new Date(Date.now() - this.settings.windowMs);
    const rows = await repo.failuresSince(this.db, [keys.account, keys.ip], since);
    for (const row of rows) {
      const limit = row.key === keys.account ? this.settings.maxFailuresPerAccount : this.settings.maxFailuresPerIp;
      if (Number(row.count) >= limit) {
        const oldest = new Date(row.oldest as Date).getTime();
        const retry = Math.max(1, Math.ceil((oldest + this.settings.windowMs - Date.now()) / 1000));
        throw new RateLimitedError(retry);
      }
    }
  }

  async recordFailure(subject: ThrottleSubject): Promise<void> {
    const keys = this.keys(subject);
    await repo.insert(this.db, [keys.account, keys.ip]);
  }

  /** A successful check clears the account's count (not the IP's). */
  async recordSuccess(subject: ThrottleSubject): Promise<void> {
    await repo.clear(this.db, this.keys(subject).account);
  }

  async purgeExpired(): Promise<void> {
    await repo.purgeBefore(this.db, new Date(Date.now() - this.settings.windowMs));
  }

  /** Runs a password check under the throttle. */
  async guard(subject: ThrottleSubject, check: () => Promise<boolean>): Promise<boolean> {
    await this.assertAllowed(subject);
    const ok = await check();
    if (ok) await this.recordSuccess(subject);
    else await this.recordFailure(subject);
    return ok;
  }
}
