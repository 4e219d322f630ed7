/**
 * A sliding-window count per key (a participant's chat messages per minute). In memory: on
 * several nodes each node counts its own, which bounds a participant at nodes × the limit.
 */
export class SlidingWindow {
  readonly #hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a hit for `key` and says whether it is within the limit; refused hits are not counted. */
  take(key: string, now = Date.now()): { ok: true } | { ok: false; retryInMs: number } {
    const since = now - this.windowMs;
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > since);
    if (hits.length >= this.limit) {
      this.#hits.set(key, hits);
      return { ok: false, retryInMs: (hits[0] ?? now) + this.windowMs - now };
    }
    hits.push(now);
    this.#hits.set(key, hits);
    if (this.#hits.size > 10_000) this.#prune(since);
    return { ok: true };
  }

  #prune(since: number): void {
    for (const [key, hits] of this.#hits) if (!hits.some((t) => t > since)) this.#hits.delete(key);
  }
}
