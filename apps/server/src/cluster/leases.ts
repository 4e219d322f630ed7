import { randomUUID } from 'node:crypto';
import type { RedisConnections } from './redis.js';

/** Gives up a lease (idempotent). */
export type ReleaseLease = () => void;

/** Takes the lease on `name` for this node, or answers null when another node holds it. */
export type ClaimLease = (name: string) => Promise<ReleaseLease | null>;

/** Renews the lease only while it is still ours, and gives it up the same way. */
const renewScript =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
const releaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * Work that one node at a time may do (a judge run that every node would otherwise take up at
 * start-up), held as Redis keys that expire unless their holder renews them: a node that dies
 * lets go within `ttlMs`. A node that cannot reach Redis claims nothing (the work waits) rather
 * than risk doing it twice.
 */
export class RedisLeases {
  private readonly held = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisConnections,
    private readonly ttlMs = 30_000,
  ) {
    this.timer = setInterval(() => this.renew(), Math.max(100, Math.floor(ttlMs / 3)));
    this.timer.unref();
  }

  /** See {@link ClaimLease}. */
  readonly claim: ClaimLease = async (name) => {
    const key = `calma:lease:${name}`;
    const token = randomUUID();
    // A client that is reconnecting would queue the SET until Redis is back: answer now instead.
    if (!this.redis.client.isReady) return null;
    let timer: NodeJS.Timeout | undefined;
    const taken = await Promise.race([
      this.redis.client.set(key, token, { condition: 'NX', expiration: { type: 'PX', value: this.ttlMs } }),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), 2_000);
      }),
    ])
      .catch(() => null)
      .finally(() => clearTimeout(timer));
    if (taken !== 'OK') return null;
    this.held.set(key, token);
    return () => {
      if (this.held.get(key) !== token) return;
      this.held.delete(key);
      void this.redis.client
        .eval(releaseScript, { keys: [key], arguments: [token] })
        .catch(() => undefined /* it expires */);
    };
  };

  /** Stops renewing; what is still held expires (or is released by its holder first). */
  close(): void {
    clearInterval(this.timer);
  }

  private renew(): void {
    for (const [key, token] of this.held) {
      void this.redis.client
        .eval(renewScript, { keys: [key], arguments: [token, String(this.ttlMs)] })
        .catch(() => undefined /* Redis is away: renewed on the next round, or lost */);
    }
  }
}
