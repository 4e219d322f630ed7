import type { createAdapter } from '@socket.io/redis-streams-adapter';
import type { createClient } from 'redis';

/** A node-redis client as Calma opens it (RESP2, default modules). */
export type RedisClient = ReturnType<typeof createClient>;

/** socket.io's Redis Streams adapter, bound to this node's shared connection. */
export type SocketIoAdapter = ReturnType<typeof createAdapter>;

/** Where connection trouble is told: warnings on a lost connection, info when it is back. */
export interface RedisLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

/**
 * Retry after 50 ms, doubling up to 2 s, with jitter so that the nodes of a cluster do not all
 * knock at once on a Redis coming back. Never gives up: a node without Redis is not ready (its
 * readiness answers 503) until Redis answers again, and commands wait in the client's queue.
 */
export function redisBackoff(retries: number): number {
  const base = Math.min(50 * 2 ** Math.min(retries, 10), 2_000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/** How long start-up waits for Redis before it goes on (and readiness says 503 until it answers). */
const firstConnectMs = 5_000;

/**
 * The node's Redis connections: one shared `client` for ordinary commands (XADD, PUBLISH, GET),
 * and `dedicated()` connections for whatever blocks or subscribes (XREAD BLOCK, SUBSCRIBE), which
 * would otherwise hold up every command queued behind them. All of them reconnect with
 * {@link redisBackoff}, log their errors instead of throwing them, and close with {@link close}.
 */
export class RedisConnections {
  private readonly dedicatedClients = new Set<RedisClient>();
  private closed = false;

  private constructor(
    /** The shared connection for non-blocking commands. */
    readonly client: RedisClient,
    private readonly log: RedisLog,
    private readonly makeAdapter: typeof createAdapter,
  ) {}

  /** socket.io's Redis Streams adapter over the shared connection (rooms and emits span the nodes). */
  socketIoAdapter(options: Parameters<typeof createAdapter>[1]): SocketIoAdapter {
    return this.makeAdapter(this.client, options);
  }

  /**
   * Opens the shared connection to `url`. Waits up to 5 s for it: past that the node starts anyway
   * (the client keeps retrying and queues commands), so a node may start before Redis does.
   */
  static async connect(url: string, log: RedisLog): Promise<RedisConnections> {
    // Loaded here, not at start-up: a single node (no Redis) never pays for the client (~0.2 s).
    const [{ createClient }, adapter] = await Promise.all([
      import('redis'),
      import('@socket.io/redis-streams-adapter'),
    ]);
    const client: RedisClient = createClient({ url, socket: { reconnectStrategy: redisBackoff } });
    const connections = new RedisConnections(client, log, adapter.createAdapter);
    connections.watch(client, 'shared');
    const connected = client.connect().then(
      () => true,
      () => false,
    );
    let timer: NodeJS.Timeout | undefined;
    const ok = await Promise.race([
      connected,
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), firstConnectMs);
      }),
    ]);
    clearTimeout(timer);
    if (!ok) log.warn({ url: redactedUrl(url) }, 'Redis does not answer yet; starting anyway, not ready until it does');
    return connections;
  }

  /**
   * A new connection of its own (same URL and options, `client.duplicate()`), for a blocking
   * read or a subscription; `name` says in the log whose it is. It is connecting when returned
   * (commands sent meanwhile wait in its queue) and is closed with the others by {@link close}.
   */
  dedicated(name: string): RedisClient {
    if (this.closed) throw new Error('Redis connections are closed');
    const client = this.client.duplicate();
    this.dedicatedClients.add(client);
    this.watch(client, name);
    client.connect().catch(() => {
      // Told by the error listener; the client keeps retrying until it is closed.
    });
    return client;
  }

  /** Throws unless Redis answers PING within `timeoutMs` (readiness). */
  async ping(timeoutMs: number): Promise<void> {
    // A client that is reconnecting would queue the PING until Redis is back: say so at once.
    if (!this.client.isReady) throw new Error('not connected to Redis');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Redis gave no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every connection: the shared one after its queued commands, dedicated ones at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const client of this.dedicatedClients) if (client.isOpen) client.destroy();
    this.dedicatedClients.clear();
    if (!this.client.isOpen) return;
    // A Redis that is down would never answer QUIT: then the socket is just dropped.
    await (this.client.isReady ? this.client.close() : Promise.resolve(this.client.destroy())).catch(() =>
      this.client.destroy(),
    );
  }

  /** Logs a lost connection once (not every retry) and its return; never lets an error throw. */
  private watch(client: RedisClient, name: string): void {
    let up = false;
    let reported = false;
    client.on('error', (err: unknown) => {
      if (this.closed || reported) return;
      reported = true;
      this.log.warn(
        { err: err instanceof Error ? err.message : String(err), connection: name },
        up ? 'Redis connection lost; reconnecting' : 'Redis does not answer; retrying',
      );
    });
    client.on('ready', () => {
      if (reported) this.log.info({ connection: name }, 'Redis connection back');
      up = true;
      reported = false;
    });
  }
}

/** The URL without its password, for the log. */
function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'redis://…';
  }
}
