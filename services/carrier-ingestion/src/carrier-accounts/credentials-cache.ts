/**
 * A few seconds of memory for the credentials the webhook intake looks up on every delivery: a
 * carrier posting thousands of webhooks a second should not cost a query and a decryption each.
 * Only found accounts are kept (ids a caller made up are not, so probing cannot fill it), the size
 * is bounded, and the service forgets an entry the moment it rotates or disables that account here;
 * other replicas follow within `ttlMs`.
 */
export class CredentialsCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: the first key is the oldest entry
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
