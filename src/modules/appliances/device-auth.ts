import { canonicalNumber, MANUFACTURING_NUMBER } from './appliance-record.js';
import { secretMatches, type CatalogService } from './catalog.service.js';

/**
 * Checks an appliance's credentials (manufacturing number + device secret) for the MQTT
 * broker and the HTTP route. Hashes are cached for a minute, so 10,000 appliances
 * reconnecting after an outage cost one query per 500 of them, not one each; a rotated
 * secret (re-imported production list) is honoured within that minute on every node.
 */
export class DeviceAuthenticator {
  private readonly cache = new Map<string, { hash: Buffer | null; until: number }>();
  private pending: { mfgs: Set<string>; promise: Promise<void> } | null = null;

  constructor(
    private readonly catalog: CatalogService,
    private readonly ttlMs = 60_000,
  ) {}

  async verify(username: string, secret: string): Promise<string | null> {
    const mfg = canonicalNumber(username);
    if (!MANUFACTURING_NUMBER.test(mfg) || !secret) return null;
    const hash = await this.hashOf(mfg);
    return secretMatches(secret, hash) ? mfg : null;
  }

  forget(mfg?: string): void {
    if (mfg) this.cache.delete(canonicalNumber(mfg));
    else this.cache.clear();
  }

  private async hashOf(mfg: string): Promise<Buffer | null> {
    const hit = this.cache.get(mfg);
    if (hit && hit.until > Date.now()) return hit.hash;
    // Collect the lookups of one moment (a reconnect storm) into one query.
    if (!this.pending) {
      const mfgs = new Set<string>();
      const promise = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        this.pending = null;
        const list = [...mfgs];
        for (let i = 0; i < list.length; i += 500) {
          const chunk = list.slice(i, i + 500);
          const found = await this.catalog.secretHashes(chunk);
          const until = Date.now() + this.ttlMs;
          // Unknown appliances are remembered briefly, so a just-imported one can connect soon.
          for (const m of chunk) this.cache.set(m, { hash: found.get(m) ?? null, until: found.has(m) ? until : Date.now() + 5_000 });
        }
      });
      this.pending = { mfgs, promise };
    }
    this.pending.mfgs.add(mfg);
    await this.pending.promise;
    return this.cache.get(mfg)?.hash ?? null;
  }
}
