/**
 * A map that keeps its `limit` most recently used entries: reading or writing an entry makes it
 * the most recent, and writing one past the limit drops the least recent (handed to `onEvict`).
 * Map insertion order is the recency, so every operation is O(1).
 */
export class RecentMap<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(
    private readonly limit: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** The entry, made the most recent; undefined when absent. */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) return undefined;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores the entry as the most recent, dropping the least recent past the limit. */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.limit) {
      const [oldest, dropped] = this.#entries.entries().next().value as [K, V];
      this.#entries.delete(oldest);
      this.onEvict?.(oldest, dropped);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }
}
