import pg from 'pg';
import type { StatementParam } from './pglite-statements.js';

/** Texts longer than this run unnamed: a multi-row INSERT has one text per row count. */
const maxNamedText = 1024;

/**
 * The hot statements on PostgreSQL (a board's appends, a session's new state: what a broadcast
 * waits for), named and run on one connection kept for them while it is free. A named statement
 * is parsed and planned once per connection; node-postgres sends an unnamed one's Parse every
 * time, and `Pool.query` acquires and releases a client around each. Measured on loopback, a
 * one-row INSERT … RETURNING 20 ms after the last: p50 0.735 ms unnamed through the pool, 0.651
 * named through the pool, 0.560 named on a kept connection (`SELECT 1` through the pool 0.481,
 * the wake-up floor). A statement that comes while the kept connection is busy goes through the
 * pool, so commits of different boards still run side by side. The kept connection is one of
 * the pool's: a pool of one keeps none.
 */
export class PgStatements {
  readonly #pool: pg.Pool;
  /** Text → statement name, for texts of at most {@link maxNamedText} characters. */
  readonly #names = new Map<string, string>();
  #counter = 0;
  #kept: pg.PoolClient | null = null;
  #keptBusy = false;
  /** Every statement goes through the pool: closed, or told to keep no connection. */
  #poolOnly: boolean;

  /** `keep`: keep a connection for these statements (not when the pool has only one). */
  constructor(pool: pg.Pool, keep: boolean) {
    this.#pool = pool;
    this.#poolOnly = !keep;
  }

  /** Runs `text` with `params` and returns its rows. */
  async query(text: string, params: readonly StatementParam[]): Promise<Record<string, unknown>[]> {
    const config = { name: this.#name(text), text, values: params as StatementParam[] };
    try {
      return await this.#run(config);
    } catch (err) {
      // A statement a schema change invalidated ('cached plan must not change result type') fails
      // once: the text gets a new name and is prepared anew next time (the old one stays idle on
      // the connections that have it).
      this.#names.delete(text);
      throw err;
    }
  }

  async #run(config: pg.QueryConfig<StatementParam[]>): Promise<Record<string, unknown>[]> {
    if (this.#keptBusy || this.#poolOnly) return (await this.#pool.query(config)).rows;
    this.#keptBusy = true;
    let client: pg.PoolClient | null = null;
    try {
      client = this.#kept ?? (await this.#keep());
      return (await client.query(config)).rows;
    } catch (err) {
      // The server's answer to the statement (a constraint, say) leaves the connection usable;
      // anything else (the server restarted, say) drops it, and the next statement takes a fresh one.
      if (client && this.#kept === client && !(err instanceof pg.DatabaseError)) {
        this.#drop(err instanceof Error ? err : true);
      }
      throw err;
    } finally {
      this.#keptBusy = false;
    }
  }

  /** Gives the kept connection back to the pool (before the pool ends). */
  close(): void {
    this.#poolOnly = true;
    this.#drop();
  }

  /** Gives the kept connection back: to be reused, or with `err` to be closed. */
  #drop(err?: Error | true): void {
    const client = this.#kept;
    if (!client) return;
    this.#kept = null;
    client.removeListener('error', this.#onError);
    client.release(err);
  }

  /**
   * A kept connection lost while idle (the server restarting, say) is dropped. Out of the pool, it
   * has no listener of the pool's, and an 'error' without one would end the process.
   */
  readonly #onError = (err: Error) => this.#drop(err);

  #name(text: string): string | undefined {
    if (text.length > maxNamedText) return undefined;
    let name = this.#names.get(text);
    if (!name) {
      name = `calma_p${++this.#counter}`;
      this.#names.set(text, name);
    }
    return name;
  }

  async #keep(): Promise<pg.PoolClient> {
    const client = await this.#pool.connect();
    if (this.#poolOnly) {
      client.release();
      throw new Error('The database is closed');
    }
    client.on('error', this.#onError);
    this.#kept = client;
    return client;
  }
}
