import type { Principal } from '@calma/core';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { awarenessMessage, awarenessUpdateMessage } from './messages.js';

const utf8 = new TextDecoder();

/** The name others see on a person's cursor: the server's record, never what the client claims. */
export function presenceName(principal: Principal): string {
  switch (principal.role) {
    case 'participant':
      return principal.displayName;
    case 'moderator':
      return 'Moderator';
    case 'analyst':
      return 'Analyst';
    case 'admin':
      return 'Admin';
  }
}

/**
 * Rewrites an awareness update from one connection before it is applied: entries `skip` names
 * (awareness ids another connection controls: nobody moves someone else's cursor; echoes of news
 * the server already has) are dropped undecoded, and a state's `user.name` is replaced by `name`.
 * Returns null when nothing is left. Throws on a malformed update (the caller closes the
 * connection).
 */
export function ownPresence(
  update: Uint8Array,
  name: string,
  skip: (clientId: number, clock: number) => boolean,
): Uint8Array | null {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const kept: { clientId: number; clock: number; state: string }[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    // Stock y-websocket clients send back every peer's change they receive: skipped undecoded.
    const json = decoding.readVarUint8Array(decoder);
    if (skip(clientId, clock)) continue;
    const state = JSON.parse(utf8.decode(json)) as unknown;
    if (state !== null && typeof state === 'object' && 'user' in state) {
      const user = (state as { user: unknown }).user;
      (state as { user: unknown }).user = { ...(user !== null && typeof user === 'object' ? user : {}), name };
    }
    kept.push({ clientId, clock, state: JSON.stringify(state) });
  }
  if (kept.length === 0) return null;
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, kept.length);
  for (const entry of kept) {
    encoding.writeVarUint(encoder, entry.clientId);
    encoding.writeVarUint(encoder, entry.clock);
    encoding.writeVarString(encoder, entry.state);
  }
  return encoding.toUint8Array(encoder);
}

/** Origin of presence another node relayed: it has no connection here, and is not relayed back. */
const relayedPresence = Symbol('relayed presence');

interface AwarenessChanges {
  added: number[];
  updated: number[];
  removed: number[];
}

/** A change of presence, for the room to send its clients and, when made here, the other nodes. */
export interface PresenceChange<C> {
  /** The awareness message for this node's clients. */
  readonly message: Uint8Array;
  /** The connection it came from (sent everything but it), if a client here made it. */
  readonly except: C | undefined;
  /** The awareness update itself, for the other nodes. */
  readonly update: Uint8Array;
  /** Made on this node (a client here, or one leaving): the other nodes are told; relayed ones are not. */
  readonly madeHere: boolean;
}

/**
 * The presence (cursors, names) of one board's writers. Each awareness id belongs to the
 * connection that first sent it; what a connection sends is rewritten by {@link ownPresence};
 * a connection's presence leaves with it. Every change goes to `out`, which sends it to everyone
 * but the connection it came from (a client ignores its own state coming back).
 */
export class Presence<C> {
  readonly awareness: awarenessProtocol.Awareness;
  private readonly owners = new Map<number, C>();
  private readonly idsOf = new Map<C, Set<number>>();
  /** The rewritten update being applied for a connection: passed on as it is, not encoded again. */
  private incoming: Uint8Array | null = null;

  constructor(doc: Y.Doc, out: (change: PresenceChange<C>) => void) {
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null);
    this.awareness.on('update', ({ added, updated, removed }: AwarenessChanges, origin: unknown) => {
      const owner = origin as C;
      for (const id of added) {
        if (!this.idsOf.has(owner)) continue;
        this.owners.set(id, owner);
        this.idsOf.get(owner)?.add(id);
      }
      for (const id of removed) {
        const was = this.owners.get(id);
        if (was !== undefined) this.idsOf.get(was)?.delete(id);
        this.owners.delete(id);
      }
      // A client's own update says the same as the states it changed (receivers keep, per id, the
      // state with the highest clock): it goes out as it came, after the rewrite.
      const update =
        this.incoming ?? awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...added, ...updated, ...removed]);
      out({
        message: awarenessUpdateMessage(update),
        except: this.idsOf.has(owner) ? owner : undefined,
        update,
        madeHere: origin !== relayedPresence,
      });
    });
  }

  /** Applies presence another node relayed (its clients' cursors). Throws if malformed. */
  applyRelayed(update: Uint8Array): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, relayedPresence);
  }

  /** Starts tracking a connection. */
  join(connection: C): void {
    this.idsOf.set(connection, new Set());
  }

  /** Applies a connection's awareness update under the server's name for it. Throws if malformed. */
  apply(connection: C, update: Uint8Array, name: string): void {
    const own = ownPresence(update, name, (id, clock) => {
      const owner = this.owners.get(id);
      if (owner !== undefined) return owner !== connection;
      // Not a connection's here (another node's client, say): an entry no newer than what this
      // node has is an echo of a change it sent (stock clients send back every change they
      // receive), and would change nothing.
      const known = this.awareness.meta.get(id);
      return known !== undefined && clock <= known.clock;
    });
    if (!own) return;
    this.incoming = own;
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, own, connection);
    } finally {
      this.incoming = null;
    }
  }

  /** Removes a connection and its presence. */
  leave(connection: C): void {
    const ids = this.idsOf.get(connection);
    this.idsOf.delete(connection);
    if (ids && ids.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...ids], null);
  }

  /** Everyone's presence, for a client that just joined (null when nobody has any). */
  snapshot(): Uint8Array | null {
    return this.awareness.getStates().size > 0 ? awarenessMessage(this.awareness) : null;
  }

  destroy(): void {
    this.awareness.destroy();
  }
}
