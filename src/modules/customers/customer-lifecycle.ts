import type { Db, Tx } from '../../platform/db/database.js';

/**
 * Other modules keep history and balances keyed by customer id in their own tables. They
 * register these hooks so a merge moves their rows too (in the same transaction), an undo
 * moves them back, an erasure anonymises them, and an export includes them.
 */
export interface CustomerLifecycleHooks {
  /** A short unique name; also the key of the module's section in exports and merge records. */
  name: string;
  /** Move the loser's rows to the survivor. Return what the undo needs (JSON). */
  onMerge?(tx: Tx, ids: { survivorId: number; loserId: number }): Promise<unknown>;
  onUnmerge?(tx: Tx, ids: { survivorId: number; loserId: number }, undoData: unknown): Promise<void>;
  /** Remove or anonymise personal data; keep history only in anonymised form. */
  onErase?(tx: Tx, customerId: number): Promise<void>;
  exportData?(db: Db, customerId: number): Promise<unknown>;
}

export class CustomerLifecycleRegistry {
  private readonly hooks = new Map<string, CustomerLifecycleHooks>();

  register(hooks: CustomerLifecycleHooks): void {
    if (this.hooks.has(hooks.name)) throw new Error(`customer lifecycle hooks "${hooks.name}" registered twice`);
    this.hooks.set(hooks.name, hooks);
  }

  all(): CustomerLifecycleHooks[] {
    return [...this.hooks.values()];
  }

  get(name: string): CustomerLifecycleHooks | undefined {
    return this.hooks.get(name);
  }
}
