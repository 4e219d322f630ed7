import { boardAccess, boardWritable, type Principal, refuseBoardChanges, type SessionState } from '@calma/core';
import { CloseCode } from '@calma/protocol/board';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { safeError } from '../../safe-error.js';
import { defaultRateLimits, type RateLimits, type TokenBucket, WriterBudgets } from '../rate.js';
import { type CommittedUpdate, DurableBoard } from './durable.js';
import { type AuthorIndex, applyAndDescribe, indexAuthors, refreshAuthors } from './inspect.js';
import { prejudge } from './judge.js';
import type { MergeUpdates } from './merger.js';
import { MessageType, syncStep1, syncStep2, syncUpdate } from './messages.js';
import type { BoardLog, BoardRelay, BoardSocket, BoardStorage, RelayedBatch, RelayListener } from './ports.js';
import { Presence, type PresenceChange, presenceName } from './presence.js';
import { serverWriter, type Writer, WriterIndex, writerOf } from './writers.js';

/** Transaction origin of the server's own changes on the probe. */
const serverOrigin = Symbol('server');

/** Limits on what one board accepts. */
export interface BoardLimits {
  maxUpdateBytes: number;
  maxDocBytes: number;
  /** Fold the stored updates into a snapshot after this many (default 500). */
  compactEvery?: number;
  /**
   * Least time between two folds of a board, in ms (default 1,000): a board taking thousands of
   * updates a second is folded once a second, not every `compactEvery`. The first fold, and one
   * when the room unloads or the server stops, never wait.
   */
  foldGapMs?: number;
  /** Updates accepted but not yet stored, past which writers are closed with 4429 (default 5,000). */
  maxPendingUpdates?: number;
  /** Bytes of updates accepted but not yet stored, past which writers are closed with 4429 (default 16 MiB). */
  maxPendingBytes?: number;
  /**
   * Updates (or bytes) waiting for storage from which a writer's socket is no longer read until
   * storage has caught up (to a quarter of it): default a fifth of the bounds above. Writers are
   * slowed down by TCP rather than closed, so nothing they send is refused or lost.
   */
  pauseAtPending?: number;
  pauseAtPendingBytes?: number;
  /**
   * Bytes a reader may leave unread (sent to it, not yet written out) past which it is dropped
   * with {@link slowReaderClose}, beyond its largest sync step 2 (default 4 MiB).
   */
  maxBacklogBytes?: number;
  /**
   * Bytes a reader may leave unread past which it is sent no more board updates until it has read
   * all but a quarter of them; then it gets everything it missed as one update (default 256 KiB).
   * Memory per slow reader stays near this, and a reader that catches up is sent a diff of the
   * board, in which a card moved a hundred times is one move, not a hundred updates.
   */
  lagBytes?: number;
  /** How fast a writer may write (defaults: {@link defaultRateLimits}). */
  rates?: RateLimits;
}

/**
 * The session state a board follows: who may write depends on it. With its revision, an older
 * state arriving after a newer one (from two nodes at once) is ignored.
 */
export type BoardSessionState = Pick<SessionState, 'segment' | 'status' | 'boardLocked'> & {
  readonly revision?: number;
};

/** One client of a room. */
export interface BoardConnection {
  readonly socket: BoardSocket;
  readonly principal: Principal;
  /** Cursor messages past this budget are dropped. */
  readonly presenceBudget: TokenBucket;
  /**
   * Updates that built on changes the board lacked, sent before the client's sync step 2, held
   * until it comes (null once it has). A stock client sends edits as soon as its socket opens;
   * they may build on its offline changes, which only its step 2 (computed after those edits,
   * so containing them) brings.
   */
  held: Uint8Array[] | null;
  /** The largest sync step 2 sent to it: a reader may be behind by that while it takes it in. */
  allowance: number;
  /**
   * Set while the reader is behind (see {@link BoardLimits.lagBytes}): the state vector of `doc`
   * when it was last sent an update; it has been sent everything up to it.
   */
  behind: Uint8Array | null;
}

/**
 * How a reader that fell too far behind is dropped (it does not read what it is sent: a stalled
 * tab, a link slower than the board). 1013 "try again later": y-websocket and the web app
 * reconnect, and the sync steps bring it up to date; what it was sent and never read is dropped
 * with its socket, so the server's memory does not grow with it.
 */
export const slowReaderClose = {
  code: CloseCode.tryAgainLater,
  reason: 'Too far behind the board: reconnect to catch up',
} as const;

/** How often readers that fell behind are checked for having read their backlog, in ms. */
const lagCheckMs = 20;

/** Senders in one broadcast batch up to which each gets only the others' updates. */
const maxExactSenders = 4;

/** Updates a client may send before its sync step 2 (see {@link BoardConnection.held}). */
const maxHeldUpdates = 200;
const maxHeldBytes = 4 * 1024 * 1024;

/** What a sender is told when its update is refused for the client ids it writes under. */
const writerRefusal = {
  'claims-another-writer': 'This update writes under a client id that is someone else’s',
  'depends-on-missing': 'This update depends on changes the board does not have; start from a fresh document',
} as const;

/** Committed updates as one update: the update itself when there is one, else merged. */
const mergeCommitted = (list: readonly CommittedUpdate[]): Uint8Array =>
  list.length === 1 ? (list[0] as CommittedUpdate).update : Y.mergeUpdates(list.map((u) => u.update));

const isEmptyUpdate = (update: Uint8Array) => update.byteLength === 2 && update[0] === 0 && update[1] === 0;

/**
 * One session's board. Two documents: `doc` holds what is durable, and is all anyone is sent;
 * `probe` holds what was accepted (durable + being written) and is where each incoming update is
 * tried first, so that it can be inspected, and refused, before anyone sees it. An accepted update
 * is written (group commit) and only then applied to `doc`, which broadcasts it.
 */
export class BoardRoom {
  readonly doc: Y.Doc;
  private readonly presence: Presence<BoardConnection>;
  private probe: Y.Doc;
  private authors: AuthorIndex;
  private readonly writers: WriterIndex;
  private readonly budgets: WriterBudgets<Writer>;
  private readonly connections = new Map<BoardSocket, BoardConnection>();
  /** Writers not read from until storage catches up (see {@link BoardLimits.pauseAtPending}). */
  private readonly paused = new Set<BoardConnection>();
  private broken = false;
  /** Stops hearing the other nodes (a no-op on a single node). */
  private unfollow: () => void = () => undefined;
  /** Catching up from storage (relayed batches were missed); at most one at a time, then one more. */
  private catchingUp: Promise<void> | null = null;
  private catchUpAgain = false;
  /**
   * The state vector from which the next catch-up tells this node's clients and probe what `doc`
   * gained (null: from `doc` as it is when it starts): a relayed batch that waits for a missed one
   * is partly in `doc` already, yet no client or probe has it.
   */
  private catchUpFrom: Uint8Array | null = null;
  /** Checks readers that fell behind while some are (see {@link BoardLimits.lagBytes}). */
  private lagTimer: NodeJS.Timeout | null = null;
  /**
   * Cursor changes of this node's clients made while updates wait for storage: they go out right
   * after the next committed batch, to this node's clients (in the same write as the batch, since
   * a board socket is corked for the turn) and to the other nodes (in the batch's relay entry).
   * A client moving a card sends the update and then its cursor: on PostgreSQL, whose commit ends
   * in a later turn, the cursor went out alone first, so every move cost each peer two writes.
   */
  private heldPresence: PresenceChange<BoardConnection>[] = [];

  private constructor(
    readonly sessionId: string,
    readonly groupId: string,
    private sessionState: BoardSessionState,
    private readonly durable: DurableBoard,
    private readonly limits: BoardLimits,
    private readonly log: BoardLog,
    private readonly relay: BoardRelay | null,
  ) {
    this.doc = durable.doc;
    this.probe = new Y.Doc({ gc: false });
    Y.applyUpdate(this.probe, Y.encodeStateAsUpdate(this.doc));
    this.authors = indexAuthors(this.probe);
    this.writers = WriterIndex.load(this.doc);
    this.budgets = new WriterBudgets(limits.rates ?? defaultRateLimits);
    this.presence = new Presence(this.doc, (change) => {
      if (change.except !== undefined && this.durable.pendingCount > 0) this.heldPresence.push(change);
      else this.presenceOut(change, true);
    });
    // `doc` only ever takes durable updates: each batch it takes goes to everyone but its senders,
    // and to the other nodes holding the board, with the cursors held for it.
    durable.committed((updates) => {
      const held = this.heldPresence;
      this.heldPresence = [];
      // The other nodes first: their clients wait for the hop through Redis on top. The Redis
      // client and the corked board sockets both write in a setImmediate, in the order first asked
      // for, so publishing first puts the relay's entry ahead of this node's writes to its clients
      // (unless this turn already corked a socket) rather than after all of them.
      let merged: Uint8Array | null = null;
      if (relay) {
        merged = mergeCommitted(updates);
        // Only a client's own change is held, so every held one was made here.
        const presence = held.map((c) => c.update);
        relay.publish(sessionId, {
          seqs: updates.map((u) => u.seq ?? 0),
          update: merged,
          ...(presence.length > 0 ? { presence } : {}),
        });
      }
      this.broadcastCommitted(updates, merged);
      for (const change of held) this.presenceOut(change, false);
      if (this.paused.size > 0) this.resumeWriters();
    });
  }

  /** Loads a board from its snapshot and later updates. */
  static async load(
    sessionId: string,
    groupId: string,
    sessionState: BoardSessionState,
    store: BoardStorage,
    limits: BoardLimits,
    log: BoardLog,
    merge?: MergeUpdates,
    relay: BoardRelay | null = null,
  ): Promise<BoardRoom> {
    // Other nodes are heard from before the board is read, so nothing stored between the read and
    // the first relayed batch is missed; what arrives before the room exists waits for it.
    let room: BoardRoom | null = null;
    const early: ((room: BoardRoom) => void)[] = [];
    const listener: RelayListener = {
      batch: (batch) => (room ? room.takeRelayed(batch) : early.push((r) => r.takeRelayed(batch))),
      presence: (update) => room?.takePresence(update),
      missed: () => (room ? room.catchUp() : early.push((r) => r.catchUp())),
    };
    const unfollow = relay ? await relay.follow(sessionId, listener) : () => undefined;
    try {
      const durable = await DurableBoard.load(
        sessionId,
        store,
        limits.compactEvery ?? 500,
        log,
        merge,
        limits.foldGapMs ?? 1_000,
      );
      room = new BoardRoom(sessionId, groupId, sessionState, durable, limits, log, relay);
    } catch (err) {
      unfollow();
      throw err;
    }
    room.unfollow = unfollow;
    for (const take of early) take(room);
    return room;
  }

  /**
   * Takes a batch another node stored: into `doc` and the probe, and out to this node's clients.
   * A batch that builds on changes this node lacks (it missed a batch) sends it to storage first.
   */
  private takeRelayed(batch: RelayedBatch): void {
    this.takeRelayedUpdate(batch);
    // Cursors that came with the batch: sent in the same turn, so in the same write as it.
    for (const update of batch.presence ?? []) this.takePresence(update);
  }

  private takeRelayedUpdate(batch: RelayedBatch): void {
    if (this.broken) return;
    const before = Y.encodeStateVector(this.doc);
    if (!this.durable.applyStored(batch)) return;
    if (this.doc.store.pendingStructs !== null || this.doc.store.pendingDs !== null) {
      // Yjs holds what it cannot place yet: the missing batch is stored, so storage has it. What
      // `doc` took of this one goes out with it, from the state before this batch.
      this.catchUpFrom ??= before;
      this.catchUp();
      return;
    }
    this.takeIntoProbe(batch.update);
    const message = syncUpdate(batch.update);
    for (const connection of [...this.connections.values()]) this.sendUpdate(connection, message);
  }

  /** Sends a change of presence to this node's clients (but its sender) and, made here, to the other nodes. */
  private presenceOut(change: PresenceChange<BoardConnection>, relay: boolean): void {
    for (const connection of this.connections.values()) {
      if (connection !== change.except) this.send(connection, change.message);
    }
    if (relay && change.madeHere) this.relay?.publishPresence(this.sessionId, change.update);
  }

  /** Cursors of another node's clients. */
  private takePresence(update: Uint8Array): void {
    if (this.broken) return;
    try {
      this.presence.applyRelayed(update);
    } catch (err) {
      this.log.warn({ err: safeError(err), sessionId: this.sessionId }, 'a relayed presence update was malformed');
    }
  }

  /**
   * Reads the board from storage again and sends this node's clients what `doc` gained (relayed
   * batches were missed: the relay was down, or a node died before relaying what it stored).
   */
  catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return this.catchingUp;
    }
    this.catchingUp = (async () => {
      do {
        this.catchUpAgain = false;
        if (this.broken) return;
        const from = this.catchUpFrom;
        this.catchUpFrom = null;
        const gained = await this.durable.catchUp(from);
        if (!gained || this.broken) continue;
        this.takeIntoProbe(gained);
        const message = syncUpdate(gained);
        for (const connection of [...this.connections.values()]) this.sendUpdate(connection, message);
      } while (this.catchUpAgain);
    })()
      .catch((err: unknown) =>
        this.log.error({ err: safeError(err), sessionId: this.sessionId }, 'catching up from storage failed'),
      )
      .finally(() => {
        this.catchingUp = null;
      });
    return this.catchingUp;
  }

  /** Applies a stored update to the probe, keeping the card authors and the writers in step. */
  private takeIntoProbe(update: Uint8Array): void {
    try {
      const changes = applyAndDescribe(this.probe, this.authors, update);
      refreshAuthors(this.probe, this.authors, changes);
    } catch {
      this.rebuildProbe();
    }
    this.writers.learn(this.doc, Y.parseUpdateMeta(update).from.keys());
  }

  /** Who is here (cursors, names), as the room relays it. */
  get awareness() {
    return this.presence.awareness;
  }

  /** Number of connected clients. */
  get size(): number {
    return this.connections.size;
  }

  /** Whether storage failed and the room must be dropped. */
  get isBroken(): boolean {
    return this.broken;
  }

  /** The board as accepted so far (durable or being written): read it, never write it. */
  get accepted(): Y.Doc {
    return this.probe;
  }

  /** Follows the session: whether participants may write depends on its segment and status. */
  setSessionState(state: BoardSessionState): void {
    const current = this.sessionState.revision;
    if (current !== undefined && state.revision !== undefined && state.revision < current) return;
    this.sessionState = {
      segment: state.segment,
      status: state.status,
      boardLocked: state.boardLocked,
      revision: state.revision ?? current,
    };
  }

  /**
   * Starts serving a socket: the first sync step and everyone's presence, then its messages (the
   * socket delivers those that arrived before this call first). It leaves when the socket closes.
   */
  connect(socket: BoardSocket, principal: Principal): BoardConnection {
    const connection: BoardConnection = {
      socket,
      principal,
      presenceBudget: this.budgets.presence(),
      held: [],
      allowance: 0,
      behind: null,
    };
    this.connections.set(socket, connection);
    socket.onClose(() => this.removeConnection(socket));
    this.send(connection, syncStep1(this.doc));
    const presence = this.presence.snapshot();
    if (presence) this.send(connection, presence);
    this.presence.join(connection);
    socket.onMessage((message) => {
      if (this.connections.get(socket) === connection) this.handleMessage(connection, message);
    });
    return connection;
  }

  /** Forgets a connection and its presence. */
  private removeConnection(socket: BoardSocket): void {
    const connection = this.connections.get(socket);
    if (!connection) return;
    this.connections.delete(socket);
    this.paused.delete(connection);
    this.presence.leave(connection);
  }

  /** Handles one y-websocket message; malformed input closes that connection, nothing more. */
  private handleMessage(connection: BoardConnection, data: Uint8Array): void {
    try {
      const decoder = decoding.createDecoder(data);
      const type = decoding.readVarUint(decoder);
      if (type === MessageType.sync) {
        const syncType = decoding.readVarUint(decoder);
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          const step2 = syncStep2(this.doc, decoding.readVarUint8Array(decoder));
          connection.allowance = Math.max(connection.allowance, step2.byteLength);
          this.send(connection, step2);
        } else if (syncType === syncProtocol.messageYjsSyncStep2) {
          const held = connection.held ?? [];
          connection.held = null;
          if (this.submit(connection, decoding.readVarUint8Array(decoder)))
            for (const update of held) if (!this.submit(connection, update)) break;
        } else if (syncType === syncProtocol.messageYjsUpdate) {
          this.submit(connection, decoding.readVarUint8Array(decoder));
        } else {
          this.refuse(connection, CloseCode.badRequest, 'Unknown sync message');
        }
      } else if (type === MessageType.awareness) {
        const update = decoding.readVarUint8Array(decoder);
        // Read-only clients are not shown to others: their presence is dropped, not relayed. The
        // name on a cursor is the server's record of the token, and nobody moves another's cursor.
        if (this.writable(connection.principal) && connection.presenceBudget.take())
          this.presence.apply(connection, update, presenceName(connection.principal));
      } else if (type === MessageType.queryAwareness) {
        const presence = this.presence.snapshot();
        if (presence) this.send(connection, presence);
      }
    } catch (err) {
      this.log.debug({ err, sessionId: this.sessionId }, 'malformed board message');
      this.refuse(connection, CloseCode.badRequest, 'Malformed message');
    }
  }

  /**
   * Adds a change made by the server itself (revealed attributes, labels, a layout) through the
   * same path. False when it was refused (the board is full, or storage failed). A change that
   * throws leaves the board as it was and rethrows.
   */
  applyServerChange(change: (doc: Y.Doc) => void): boolean {
    if (this.broken) return false;
    // The server's changes need no inspection: make them on the probe itself and take the update
    // it emits (copying the whole board into a scratch document cost ~100 ms at 2,000 cards).
    const updates: Uint8Array[] = [];
    const capture = (update: Uint8Array) => updates.push(update);
    this.probe.on('update', capture);
    try {
      this.probe.transact(() => {
        // The server writes under its own client ids too, and records them like anyone's.
        if (this.writers.ownerOf(this.probe.clientID) === undefined)
          this.writers.record(this.probe, [this.probe.clientID], serverWriter);
        change(this.probe);
      }, serverOrigin);
    } catch (err) {
      // Yjs keeps what a transaction did before it threw: put the probe back as accepted.
      this.rebuildProbe();
      throw err;
    } finally {
      this.probe.off('update', capture);
    }
    if (updates.length === 0) return true;
    const update = updates.length === 1 ? (updates[0] as Uint8Array) : Y.mergeUpdates(updates);
    if (this.durable.size + update.byteLength > this.limits.maxDocBytes) {
      this.rebuildProbe();
      this.refuse(null, CloseCode.tooLarge, `The board is full (limit ${this.limits.maxDocBytes} bytes)`);
      return false;
    }
    this.authors = indexAuthors(this.probe);
    this.persistThenApply(null, update);
    return true;
  }

  /** Resolves once every accepted update is durable and applied. */
  flushed(): Promise<void> {
    return this.durable.flushed();
  }

  /** Folds the board into one snapshot if updates have piled up since the last one. */
  compact(force = false): Promise<void> {
    return this.broken ? Promise.resolve() : this.durable.compact(force);
  }

  /** Closes every connection with `code` and frees the documents. */
  close(code: number, reason: string): void {
    this.unfollow();
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = null;
    for (const connection of this.connections.values()) connection.socket.close(code, reason);
    this.connections.clear();
    this.presence.destroy();
    this.probe.destroy();
    this.doc.destroy();
  }

  private writable(principal: Principal): boolean {
    return boardWritable(principal, this.sessionState);
  }

  /**
   * Tries an update on the probe, refuses it (closing the sender) or accepts it: then it is
   * written, and once written it is applied to `doc`, which broadcasts it. A refused update
   * reaches no one and leaves the board as it was.
   */
  private submit(connection: BoardConnection, update: Uint8Array): boolean {
    if (this.broken) return false;
    const { principal } = connection;
    const writer = writerOf(principal);
    // A flood from one writer must not starve the others: past its rate, or while the board's
    // writes are backed up, the writer is closed and its update dropped before any work is done.
    if (!this.budgets.update(writer, update.byteLength)) {
      this.refuse(connection, CloseCode.rateLimited, 'Too many updates: slow down, then reconnect');
      return false;
    }
    if (
      this.durable.pendingCount >= (this.limits.maxPendingUpdates ?? 5_000) ||
      this.durable.pendingBytes + update.byteLength > (this.limits.maxPendingBytes ?? 16 * 1024 * 1024)
    ) {
      this.refuse(connection, CloseCode.rateLimited, 'The board is busy storing changes: reconnect in a moment');
      return false;
    }
    // The per-update limit guards against clients; the server's own changes (placing thousands of
    // cards, an affinity map) may be larger. The board's size limit holds for everyone.
    if (update.byteLength > this.limits.maxUpdateBytes) {
      this.refuse(connection, CloseCode.tooLarge, `Update too large (limit ${this.limits.maxUpdateBytes} bytes)`);
      return false;
    }
    if (this.durable.size + update.byteLength > this.limits.maxDocBytes) {
      this.refuse(connection, CloseCode.tooLarge, `The board is full (limit ${this.limits.maxDocBytes} bytes)`);
      return false;
    }
    if (isEmptyUpdate(update)) return true;
    const access = boardAccess(principal, this.sessionState);
    const writable = access.writable;
    // Judged before the update touches the probe, so these refusals cost nothing to undo.
    let writers: ReturnType<WriterIndex['check']>;
    try {
      writers = this.writers.check(this.probe, update, writer);
    } catch {
      this.refuse(connection, CloseCode.badRequest, 'Malformed update');
      return false;
    }
    if (!writers.ok) {
      if (writers.problem.type === 'depends-on-missing') return this.missing(connection, update);
      this.refuse(connection, CloseCode.forbidden, writerRefusal[writers.problem.type]);
      return false;
    }
    // Whoever may be refused is judged before the update touches the probe: a refusal then costs
    // the update's size, not a rebuild of the board. (Moderators and the admin may change anything.)
    if (principal.role === 'participant' || !writable) {
      let judged: ReturnType<typeof prejudge>;
      try {
        judged = prejudge(this.probe, this.authors, update);
      } catch {
        this.refuse(connection, CloseCode.badRequest, 'Malformed update');
        return false;
      }
      if (!judged.ok) return this.missing(connection, update);
      // A read-only client re-sending what the board already has: nothing to do.
      if (!access.writable && judged.changes.length === 0 && writers.claims.length === 0) return true;
      if (!access.writable) return this.refuseReadOnly(connection, access.reason.type === 'role');
      const reason = refuseBoardChanges(principal, judged.changes);
      if (reason !== null) {
        this.refuse(connection, CloseCode.forbidden, reason);
        return false;
      }
    }
    let changes: ReturnType<typeof applyAndDescribe>;
    try {
      changes = applyAndDescribe(this.probe, this.authors, update);
    } catch {
      this.rebuildProbe();
      this.refuse(connection, CloseCode.badRequest, 'Malformed update');
      return false;
    }
    // Yjs holds structs and deletions whose dependencies it lacks, and applies them inside a later
    // change, someone else's: what an update does must be wholly visible when it is judged.
    if (this.probe.store.pendingStructs !== null || this.probe.store.pendingDs !== null) {
      this.rebuildProbe();
      return this.missing(connection, update);
    }
    // Yjs's own account of the update, a second check behind the one above.
    const reason = refuseBoardChanges(principal, changes);
    if (reason !== null) {
      this.log.warn({ sessionId: this.sessionId, reason }, 'an update passed the pre-check but not Yjs’s account');
      this.rebuildProbe();
      this.refuse(connection, CloseCode.forbidden, reason);
      return false;
    }
    refreshAuthors(this.probe, this.authors, changes);
    this.persistThenApply(connection, update);
    this.pauseIfBackedUp(connection);
    // In the same tick, so in the same commit as the update: who writes under its new client ids.
    if (writers.claims.length > 0) this.applyServerChange((doc) => this.writers.record(doc, writers.claims, writer));
    return true;
  }

  /**
   * An update that builds on changes the board does not have: before the client's sync step 2 it
   * is held (the step 2 may bring them); after it, or past {@link maxHeldUpdates}, it is refused.
   */
  private missing(connection: BoardConnection, update: Uint8Array): boolean {
    const heldBytes = connection.held?.reduce((n, u) => n + u.byteLength, 0) ?? 0;
    if (connection.held !== null && connection.held.length < maxHeldUpdates && heldBytes < maxHeldBytes) {
      connection.held.push(update);
      return true;
    }
    this.refuse(connection, CloseCode.forbidden, writerRefusal['depends-on-missing']);
    return false;
  }

  /**
   * Refuses a write on a read-only board: a role that never writes is forbidden (4403); a board
   * that turned read-only (segment 1 or 5, locked, ended) is the wrong state (4409): reload, wait.
   */
  private refuseReadOnly(connection: BoardConnection, byRole: boolean): false {
    if (byRole) this.refuse(connection, CloseCode.forbidden, 'This connection is read-only');
    else this.refuse(connection, CloseCode.wrongState, 'The board is read-only for you now');
    return false;
  }

  /** Stores an update accepted into the probe (group commit); `doc` then takes and broadcasts it. */
  private persistThenApply(connection: BoardConnection | null, update: Uint8Array): void {
    this.durable.append(update, connection ?? 'server', (err) => this.fail(err));
  }

  /** Stops reading a writer while the updates waiting for storage are over the pause mark. */
  private pauseIfBackedUp(connection: BoardConnection): void {
    const { pauseAtPending, pauseAtPendingBytes } = this.pauseMarks();
    if (this.durable.pendingCount < pauseAtPending && this.durable.pendingBytes < pauseAtPendingBytes) return;
    if (this.paused.has(connection) || !connection.socket.pause) return;
    this.paused.add(connection);
    connection.socket.pause();
  }

  /** Reads the paused writers again once storage is down to a quarter of the pause mark. */
  private resumeWriters(): void {
    const { pauseAtPending, pauseAtPendingBytes } = this.pauseMarks();
    if (this.durable.pendingCount > pauseAtPending / 4 || this.durable.pendingBytes > pauseAtPendingBytes / 4) return;
    for (const connection of this.paused) connection.socket.resume?.();
    this.paused.clear();
  }

  private pauseMarks() {
    return {
      pauseAtPending: this.limits.pauseAtPending ?? (this.limits.maxPendingUpdates ?? 5_000) / 5,
      pauseAtPendingBytes: this.limits.pauseAtPendingBytes ?? (this.limits.maxPendingBytes ?? 16 * 1024 * 1024) / 5,
    };
  }

  private rebuildProbe(): void {
    this.probe.destroy();
    this.probe = new Y.Doc({ gc: false });
    Y.applyUpdate(this.probe, Y.encodeStateAsUpdate(this.doc));
    for (const update of this.durable.pending) Y.applyUpdate(this.probe, update);
    this.authors = indexAuthors(this.probe);
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.heldPresence = [];
    this.log.error({ err: safeError(err), sessionId: this.sessionId }, 'board storage failed; closing the room');
    this.close(CloseCode.internal, 'Storage failed; reconnect to continue');
  }

  private refuse(connection: BoardConnection | null, code: number, reason: string): void {
    if (!connection) {
      this.log.error({ sessionId: this.sessionId, reason }, 'server board change refused');
      return;
    }
    connection.socket.close(code, reason);
    this.removeConnection(connection.socket);
  }

  /**
   * Sends one message, unless the reader has left more than its limit unread: then it is dropped
   * (see {@link slowReaderClose}) and sent nothing more, so a stalled reader costs the others
   * nothing and the server no memory beyond the limit.
   */
  private send(connection: BoardConnection, message: Uint8Array): void {
    const { socket } = connection;
    if (!socket.isOpen) return;
    const backlog = socket.backlog ?? 0;
    if (backlog > (this.limits.maxBacklogBytes ?? 4 * 1024 * 1024) + connection.allowance) {
      this.log.debug({ sessionId: this.sessionId, backlog }, 'dropping a board reader that fell behind');
      this.refuse(connection, slowReaderClose.code, slowReaderClose.reason);
      return;
    }
    socket.send(message);
  }

  /**
   * Sends an update of `doc` to a reader, unless it is behind: it is sent nothing more until it
   * has read its backlog, then all it missed at once ({@link BoardLimits.lagBytes}).
   */
  private sendUpdate(connection: BoardConnection, message: Uint8Array): void {
    if (connection.behind) return;
    this.send(connection, message);
    if (!connection.socket.isOpen || (connection.socket.backlog ?? 0) <= this.lagBytes + connection.allowance) return;
    connection.behind = Y.encodeStateVector(this.doc);
    this.lagTimer ??= setInterval(() => this.catchUpReaders(), lagCheckMs);
    this.lagTimer.unref?.();
  }

  /** Sends each reader that was behind and has read its backlog what `doc` gained since. */
  private catchUpReaders(): void {
    let lagging = false;
    for (const connection of [...this.connections.values()]) {
      const from = connection.behind;
      if (!from) continue;
      if ((connection.socket.backlog ?? 0) > this.lagBytes / 4) {
        lagging = true;
        continue;
      }
      connection.behind = null;
      const message = syncUpdate(Y.encodeStateAsUpdate(this.doc, from));
      // A reader that was far behind may need longer to take in this one.
      connection.allowance = Math.max(connection.allowance, message.byteLength);
      this.sendUpdate(connection, message);
      if (connection.behind) lagging = true;
    }
    if (!lagging && this.lagTimer) {
      clearInterval(this.lagTimer);
      this.lagTimer = null;
    }
  }

  private get lagBytes(): number {
    return this.limits.lagBytes ?? 256 * 1024;
  }

  /**
   * Sends the updates `doc` took together as one message (merged, as Hocuspocus merges an event
   * loop turn's updates) to everyone who sent none of them; a sender gets the others' updates
   * merged, and nothing when they were all its own. With more than {@link maxExactSenders}
   * senders in one batch, merging for each would cost senders × updates: they get the whole
   * batch too, their own updates included (as Hocuspocus sends every update to everyone; Yjs
   * skips what a document already has). `allUpdate`: the whole batch merged, when the caller has it.
   */
  private broadcastCommitted(updates: readonly CommittedUpdate[], allUpdate: Uint8Array | null): void {
    if (this.connections.size === 0) return;
    const [first] = updates;
    if (!first) return;
    if (updates.length === 1) {
      const message = syncUpdate(first.update);
      for (const connection of this.connections.values()) {
        if (connection !== first.origin) this.sendUpdate(connection, message);
      }
      return;
    }
    const origins = new Set(updates.map((u) => u.origin));
    if (origins.size > maxExactSenders) origins.clear();
    let all: Uint8Array | null = null;
    for (const connection of [...this.connections.values()]) {
      if (!origins.has(connection)) {
        all ??= syncUpdate(allUpdate ?? mergeCommitted(updates));
        this.sendUpdate(connection, all);
        continue;
      }
      const others = updates.filter((u) => u.origin !== connection);
      if (others.length > 0) this.sendUpdate(connection, syncUpdate(mergeCommitted(others)));
    }
  }
}
