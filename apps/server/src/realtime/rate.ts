/**
 * A token bucket: `rate` tokens a second, holding at most `burst`. A taker that finds too few is
 * refused and takes nothing. Time is injected so tests need no clock.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take(n = 1): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

/** How fast one writer may change a board, and one connection move its cursor. */
export interface RateLimits {
  /** Updates a second, and how many may come at once. */
  readonly updatesPerSecond: number;
  readonly updateBurst: number;
  /** Update bytes a second, and how many may come at once. */
  readonly bytesPerSecond: number;
  readonly byteBurst: number;
  /** Presence (cursor) messages a second per connection, and at once; past it they are dropped. */
  readonly presencePerSecond: number;
  readonly presenceBurst: number;
}

/**
 * Generous for people (a drag sends ~60 updates a second, a cursor as many), far below a flood
 * (the hardening probe sent 40,000 a second).
 */
export const defaultRateLimits: RateLimits = {
  updatesPerSecond: 200,
  updateBurst: 300,
  bytesPerSecond: 2 * 1024 * 1024,
  byteBurst: 8 * 1024 * 1024,
  presencePerSecond: 120,
  presenceBurst: 240,
};

/**
 * Update budgets by writer, so a writer who reconnects does not start afresh, and a presence
 * budget per connection.
 */
export class WriterBudgets<W> {
  private readonly writers = new Map<W, { updates: TokenBucket; bytes: TokenBucket }>();

  constructor(
    private readonly limits: RateLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `writer` may send one more update of `bytes` now (taken from its budget if so). */
  update(writer: W, bytes: number): boolean {
    let budget = this.writers.get(writer);
    if (!budget) {
      const { updatesPerSecond, updateBurst, bytesPerSecond, byteBurst } = this.limits;
      budget = {
        updates: new TokenBucket(updatesPerSecond, updateBurst, this.now),
        bytes: new TokenBucket(bytesPerSecond, byteBurst, this.now),
      };
      this.writers.set(writer, budget);
    }
    return budget.updates.take() && budget.bytes.take(bytes);
  }

  /** A new connection's presence budget. */
  presence(): TokenBucket {
    return new TokenBucket(this.limits.presencePerSecond, this.limits.presenceBurst, this.now);
  }
}
