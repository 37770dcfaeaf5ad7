/**
 * Modules add data to what templates can use — points per store, last purchase, recommended
 * items — by registering a provider that loads it for many customers at once (one query per
 * batch, not per message). The result appears in the template under the provider's name.
 */
export interface MessageContextProvider {
  name: string;
  load(customerIds: number[]): Promise<Map<number, unknown>>;
}

export class MessageContextRegistry {
  private readonly providers = new Map<string, MessageContextProvider>();

  register(provider: MessageContextProvider): void {
    if (this.providers.has(provider.name)) throw new Error(`message context "${provider.name}" registered twice`);
    this.providers.set(provider.name, provider);
  }

  names(): string[] {
    return [...this.providers.keys()];
  }

  async load(customerIds: number[]): Promise<Map<number, Record<string, unknown>>> {
    const out = new Map<number, Record<string, unknown>>(customerIds.map((id) => [id, {}]));
    for (const provider of this.providers.values()) {
      const data = await provider.load(customerIds);
      for (const [id, value] of data) {
        const entry = out.get(id);
        if (entry) entry[provider.name] = value;
      }
    }
    return out;
  }
}
