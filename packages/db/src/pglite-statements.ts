import { RecentMap } from '@calma/core';
import { type PGlite, protocol, types } from '@electric-sql/pglite';

/** A statement's parameters on the hot path: text, bytes (sent in binary) or NULL. */
export type StatementParam = string | Uint8Array | null;

interface Prepared {
  readonly name: string;
  /** Each result column's name and type, from the statement's RowDescription. */
  readonly columns: readonly { name: string; typeId: number }[];
}

/** Column names and types of a statement, or none for one that returns no rows. */
type BackendMessage = { name: string; fields?: unknown; dataTypeIDs?: number[] };

/**
 * Named prepared statements on a PGlite instance, the way server drivers keep them per
 * connection: the first run of a text parses it once (Parse + Describe), each run after is one
 * Bind + Execute + Sync handed to PGlite in a single call, byte parameters in binary. PGlite's own
 * `query` sends Parse, Describe, Bind, Describe, Execute and Sync as six calls into its
 * WebAssembly and hex-encodes bytes: for one small INSERT that is ~0.25–0.45 ms of CPU on the
 * event loop against ~0.1 ms here (measured on the board's append). At most `capacity` texts
 * are kept; the least recently used is closed when another comes.
 *
 * Runs under PGlite's own locks (the transaction lock, then the query lock, as its `query`
 * does), so it never lands inside another caller's open transaction.
 */
export class PgliteStatements {
  readonly #client: PGlite;
  /** Text → prepared statement, the least recently used closed past `capacity`. */
  readonly #statements: RecentMap<string, Prepared>;
  /** Statements to close with the next message (evicted, or left broken by an error). */
  #toClose: string[] = [];
  #counter = 0;

  constructor(client: PGlite, capacity = 32) {
    this.#client = client;
    this.#statements = new RecentMap(capacity, (_text, prepared) => this.#toClose.push(prepared.name));
  }

  /** Runs `text` with `params` and returns its rows, values parsed as PGlite's `query` parses them. */
  query(text: string, params: readonly StatementParam[]): Promise<Record<string, unknown>[]> {
    const client = this.#client;
    return client._runExclusiveTransaction(() => client._runExclusiveQuery(() => this.#run(text, params)));
  }

  async #run(text: string, params: readonly StatementParam[]): Promise<Record<string, unknown>[]> {
    const { serialize } = protocol;
    const prepared = this.#statements.get(text) ?? (await this.#prepare(text));
    const message = Buffer.concat([
      serialize.bind({ statement: prepared.name, values: params as StatementParam[] }),
      serialize.execute(),
      serialize.sync(),
    ]);
    let messages: BackendMessage[];
    try {
      messages = (await this.#client.execProtocol(message)).messages as BackendMessage[];
    } catch (err) {
      // A statement a schema change invalidated fails once and is prepared again next time.
      this.#forget(text);
      throw err;
    }
    const rows: Record<string, unknown>[] = [];
    for (const m of messages) {
      if (m.name !== 'dataRow') continue;
      const fields = m.fields as (string | null)[];
      const row: Record<string, unknown> = {};
      prepared.columns.forEach((column, i) => {
        const value = fields[i] ?? null;
        row[column.name] = value === null ? null : types.parseType(value, column.typeId, this.#client.parsers);
      });
      rows.push(row);
    }
    return rows;
  }

  async #prepare(text: string): Promise<Prepared> {
    const { serialize } = protocol;
    const name = `calma_s${++this.#counter}`;
    const closing = this.#toClose.map((n) => serialize.close({ type: 'S', name: n }));
    this.#toClose = [];
    const { messages } = (await this.#client.execProtocol(
      Buffer.concat([
        ...closing,
        serialize.parse({ name, text }),
        serialize.describe({ type: 'S', name }),
        serialize.sync(),
      ]),
    )) as { messages: BackendMessage[] };
    const description = messages.find((m) => m.name === 'rowDescription') as
      | { fields: { name: string; dataTypeID: number }[] }
      | undefined;
    const prepared: Prepared = {
      name,
      columns: (description?.fields ?? []).map((f) => ({ name: f.name, typeId: f.dataTypeID })),
    };
    // Past the capacity this closes the least recently used (with the next message).
    this.#statements.set(text, prepared);
    return prepared;
  }

  #forget(text: string): void {
    const prepared = this.#statements.get(text);
    if (!prepared) return;
    this.#statements.delete(text);
    this.#toClose.push(prepared.name);
  }
}
