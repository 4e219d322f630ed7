import type { Principal } from '@calma/core';
import { BoardKey } from '@calma/protocol/board';
import * as Y from 'yjs';

/** Who writes under a client id: a participant id, or a role that writes (`moderator`, `admin`), or `server`. */
export type Writer = string;

/** The server's own changes. */
export const serverWriter: Writer = 'server';

/**
 * Client ids found in a stored board with no recorded writer (written before writers were
 * recorded, or whose record was lost in a crash): nobody may continue them; a client that had
 * one starts over with a fresh document, and so a fresh id.
 */
const unknownWriter: Writer = '?';

/** The writer a principal is. Analysts never write. */
export function writerOf(principal: Principal): Writer {
  return principal.role === 'participant' ? principal.participantId : principal.role;
}

/** Why an update was refused before it touched the board. */
export type WriterProblem = { readonly type: 'claims-another-writer' } | { readonly type: 'depends-on-missing' };

/**
 * The writers of one board, by Yjs client id. An update may only add structs under client ids
 * that are its sender's or new, and only right after the last struct the board has for each id:
 * an update whose structs or deletions would wait for changes the board does not have yet is
 * refused, since Yjs would hold it and apply it later inside someone else's change, judged
 * with that person's rights.
 */
export class WriterIndex {
  private readonly owners = new Map<number, Writer>();

  /** Reads the recorded writers of a board; its other client ids become unknown writers. */
  static load(doc: Y.Doc): WriterIndex {
    const index = new WriterIndex();
    for (const [client, writer] of doc.getMap(BoardKey.writers).entries()) {
      if (typeof writer === 'string' && /^\d+$/.test(client)) index.owners.set(Number(client), writer);
    }
    for (const client of Y.decodeStateVector(Y.encodeStateVector(doc)).keys()) {
      if (!index.owners.has(client)) index.owners.set(client, unknownWriter);
    }
    return index;
  }

  /** Who writes under `client`, if anyone does yet. */
  ownerOf(client: number): Writer | undefined {
    return this.owners.get(client);
  }

  /**
   * Checks an update against the board as accepted (`board`): the client ids it writes under and
   * where its structs start. Returns the ids it is the first to write under, or the problem.
   */
  check(
    board: Y.Doc,
    update: Uint8Array,
    writer: Writer,
  ): { ok: true; claims: number[] } | { ok: false; problem: WriterProblem } {
    const { from } = Y.parseUpdateMeta(update);
    const claims: number[] = [];
    for (const [client, clock] of from) {
      const owner = this.owners.get(client);
      if (owner !== undefined && owner !== writer) return { ok: false, problem: { type: 'claims-another-writer' } };
      if (owner === undefined) claims.push(client);
      if (clock > Y.getState(board.store, client)) return { ok: false, problem: { type: 'depends-on-missing' } };
    }
    return { ok: true, claims };
  }

  /** Records `writer` for `clients` in the board document (call inside a server change). */
  record(doc: Y.Doc, clients: readonly number[], writer: Writer): void {
    const writers = doc.getMap<Writer>(BoardKey.writers);
    for (const client of clients) {
      writers.set(String(client), writer);
      this.owners.set(client, writer);
    }
  }

  /**
   * Learns the writers another node recorded (relayed updates): every recorded client id, and
   * `clients` (those the updates wrote under) as unknown writers until their record arrives.
   */
  learn(doc: Y.Doc, clients: Iterable<number>): void {
    for (const [client, writer] of doc.getMap(BoardKey.writers).entries()) {
      if (typeof writer === 'string' && /^\d+$/.test(client)) this.owners.set(Number(client), writer);
    }
    for (const client of clients) if (!this.owners.has(client)) this.owners.set(client, unknownWriter);
  }

  /** Forgets claims that were never stored (the server change recording them was refused). */
  forget(clients: readonly number[]): void {
    for (const client of clients) this.owners.delete(client);
  }
}
