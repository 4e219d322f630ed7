import { memberRoles, type Principal } from '@calma/core';
import { type Database, listLabels, listSegment1 } from '@calma/db';
import { ErrorCode } from '@calma/protocol';
import { BoardKey, type Card, CloseCode } from '@calma/protocol/board';
import type { FastifyBaseLogger } from 'fastify';
import { type WebSocket, WebSocketServer } from 'ws';
import type * as Y from 'yjs';
import { AppError } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { type AuthOptions, authorizeSession, resolveToken } from '../../plugins/auth.js';
import type { SessionService } from '../../sessions/service.js';
import type { UpgradeHandler } from '../upgrade.js';
import {
  applyLayout,
  type CardPosition,
  type LabelForBoard,
  placeAttributes,
  placeLabels,
  readBoardCards,
} from './cards.js';
import type { BoardSocket } from './ports.js';
import { type BoardLimits, BoardRoom } from './room.js';
import type { BoardStore } from './store.js';

/**
 * Where new label cards go on a session's board: positions by label id (an affinity map exists),
 * or null for the default grid. `board` is the board as accepted so far, to read, not to change.
 */
export type LabelPlacement = (
  sessionId: string,
  board: Y.Doc,
  labels: readonly LabelForBoard[],
) => Promise<ReadonlyMap<string, CardPosition> | null>;

/** What the board needs from the rest of the server. */
export interface BoardContext {
  readonly db: Database;
  /** Board persistence (group commit over the database). */
  readonly store: BoardStore;
  readonly sessions: SessionService;
  /** Session states, reveals, submissions, labels and maps arrive here; the board follows them. */
  readonly events: EventBus;
  readonly auth: AuthOptions;
  readonly limits: BoardLimits;
  readonly log: FastifyBaseLogger;
  /** Places labels added after an affinity map near their neighbours; without it, the grid. */
  readonly labelPlacement?: LabelPlacement;
}

/** Rooms stay loaded this long after their last client leaves, to ride out reconnects. */
const idleUnloadMs = 30_000;

type Admission = { ok: true; principal: Principal; sessionId: string } | { ok: false; code: number; reason: string };

/**
 * A close reason cut to the 123 bytes a close frame holds, at a character boundary: cutting
 * UTF-8 mid-character would make a longer string, and `ws` throws on a reason over 123 bytes.
 */
export function clipReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let clipped = '';
  for (const char of reason) {
    if (Buffer.byteLength(clipped + char) > 123) break;
    clipped += char;
  }
  return clipped;
}

/**
 * A `ws` socket as a room sees it. Messages are listened for at once and held until the room
 * registers its listener (the room loads asynchronously, and a client sends its first sync step
 * as soon as the socket opens); a text frame closes the socket, since y-websocket is binary.
 */
export function wsBoardSocket(ws: WebSocket): BoardSocket {
  let listener: ((message: Uint8Array) => void) | null = null;
  const early: Uint8Array[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      ws.close(CloseCode.badRequest, 'Binary y-websocket messages only');
      return;
    }
    const bytes = data as Buffer;
    if (listener) listener(bytes);
    else early.push(bytes);
  });
  return {
    get isOpen() {
      return ws.readyState === ws.OPEN;
    },
    send(message) {
      ws.send(message, (err) => {
        if (err) ws.terminate();
      });
    },
    close(code, reason) {
      ws.close(code, clipReason(reason));
    },
    onMessage(next) {
      listener = next;
      for (const message of early.splice(0)) next(message);
    },
    onClose(next) {
      ws.on('close', next);
    },
  };
}

/**
 * The Yjs endpoint `/yjs/:sessionId?token=…`, speaking the plain y-websocket protocol. Who may
 * connect, and whether they may write, is decided before the upgrade is accepted; a refused
 * client gets the upgrade and an immediate close with a 44xx code and a reason, which browsers
 * (unlike an HTTP error on the handshake) can show. The board follows the domain through the
 * event bus: it places revealed attributes, new labels and affinity maps as they are announced.
 */
export class BoardServer {
  private readonly rooms = new Map<string, Promise<BoardRoom>>();
  private readonly idle = new Map<string, NodeJS.Timeout>();
  private readonly wss: WebSocketServer;
  private readonly unsubscribe: (() => void)[];
  private closing = false;

  constructor(private readonly context: BoardContext) {
    // ws would otherwise buffer frames of up to 100 MiB; anything past the update limit (plus
    // framing) is cut off by ws itself with 1009 before it is even read.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: context.limits.maxUpdateBytes + 64 * 1024 });
    const { events } = context;
    this.unsubscribe = [
      events.subscribe('session-state-changed', async ({ sessionId, state }) => {
        // An idle board is not loaded for a state change: it reads the state when it loads.
        const room = await this.rooms.get(sessionId)?.catch(() => null);
        room?.setSessionState(state);
      }),
      // Revealing segment 1 puts every participant's attributes on the board, loaded or not.
      events.subscribe('segment-revealed', ({ sessionId, segment }) =>
        segment === 1 ? this.withRoom(sessionId, (room) => this.placeRevealed(room)) : undefined,
      ),
      // A segment-1 submission made after the reveal joins the board too. The session row, not
      // this process's memory, says whether segment 1 is revealed: a restart forgets nothing.
      events.subscribe('submission-made', async ({ sessionId, segment }) => {
        if (segment !== 1) return;
        const session = await this.context.sessions.get(sessionId);
        if (session.state.revealed.includes(1)) await this.withRoom(sessionId, (room) => this.placeRevealed(room));
      }),
      events.subscribe('labels-added', ({ groupId }) => this.labelsAdded(groupId)),
      events.subscribe('map-computed', ({ sessionId, points, clusters }) =>
        this.withRoom(sessionId, async (room) => {
          if (!room.applyServerChange((doc) => applyLayout(doc, points, clusters)))
            throw new AppError(
              413,
              ErrorCode.payloadTooLarge,
              'The board is full: the layout could not be written into it',
            );
          await room.flushed();
        }),
      ),
    ];
  }

  /** The handler the upgrade router calls for `/yjs/…`. */
  readonly upgrade: UpgradeHandler = (request, socket, head) => {
    void this.admit(request.url ?? '').then((admission) => {
      if (socket.destroyed) return;
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, admission));
    });
  };

  /** The cards of a session's board as they are now (loading the board if needed). */
  cards(sessionId: string): Promise<Card[]> {
    return this.withRoom(sessionId, (room) => readBoardCards(room.accepted));
  }

  /** Adds cards for the labels new to each loaded board of the group. */
  private async labelsAdded(groupId: string): Promise<void> {
    const labels = await listLabels(this.context.db, groupId);
    for (const pending of this.rooms.values()) {
      const room = await pending.catch(() => null);
      if (room && room.groupId === groupId && !room.isBroken) await this.addLabels(room, labels);
    }
  }

  /** Runs `task` on a session's room, loading it if needed, and lets an idle room unload after. */
  private async withRoom<T>(sessionId: string, task: (room: BoardRoom) => T | Promise<T>): Promise<T> {
    const room = await this.room(sessionId);
    try {
      return await task(room);
    } finally {
      this.scheduleUnload(sessionId, room);
    }
  }

  /** Adds cards for the labels not on the board yet, placed by the affinity map when there is one. */
  private async addLabels(room: BoardRoom, labels: readonly LabelForBoard[]): Promise<void> {
    const placed = room.accepted.getMap(BoardKey.labelCards);
    const fresh = labels.filter((label) => !placed.has(label.id));
    if (fresh.length === 0) return;
    let positions: ReadonlyMap<string, CardPosition> | null = null;
    if (this.context.labelPlacement) {
      positions = await this.context.labelPlacement(room.sessionId, room.accepted, fresh).catch((err) => {
        this.context.log.warn(
          { err, sessionId: room.sessionId },
          'new labels could not be placed by the map; using the grid',
        );
        return null;
      });
    }
    room.applyServerChange((doc) => placeLabels(doc, fresh, positions));
  }

  /** Flushes every board, folds it into a snapshot and closes its clients (server shutdown). */
  async close(): Promise<void> {
    this.closing = true;
    for (const stop of this.unsubscribe) stop();
    for (const timer of this.idle.values()) clearTimeout(timer);
    for (const [sessionId, pending] of this.rooms) {
      const room = await pending.catch(() => null);
      if (!room) continue;
      await room.flushed();
      await room.compact(true).catch((err) => this.context.log.error({ err, sessionId }, 'compaction on close failed'));
      room.close(CloseCode.goingAway, 'Server shutting down');
    }
    this.rooms.clear();
    await this.context.store.drain();
    this.wss.close();
  }

  private async admit(url: string): Promise<Admission> {
    try {
      const parsed = new URL(url, 'http://calma.invalid');
      const sessionId = decodeURIComponent(parsed.pathname.slice('/yjs/'.length).replace(/\/+$/, ''));
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(sessionId))
        return { ok: false, code: CloseCode.notFound, reason: 'Unknown session' };
      const principal = await resolveToken(this.context.auth, parsed.searchParams.get('token'));
      if (!principal) return { ok: false, code: CloseCode.unauthorized, reason: 'A valid ?token= is required' };
      await authorizeSession(this.context.sessions, principal, sessionId, memberRoles);
      return { ok: true, principal, sessionId };
    } catch (err) {
      if (err instanceof AppError) {
        const code =
          err.statusCode === 404
            ? CloseCode.notFound
            : err.statusCode === 403
              ? CloseCode.forbidden
              : CloseCode.badRequest;
        return { ok: false, code, reason: err.message };
      }
      this.context.log.error({ err }, 'board admission failed');
      return { ok: false, code: CloseCode.internal, reason: 'Internal error' };
    }
  }

  private accept(ws: WebSocket, admission: Admission): void {
    ws.on('error', (err) => this.context.log.debug({ err }, 'board socket error'));
    if (!admission.ok) {
      ws.close(admission.code, clipReason(admission.reason));
      return;
    }
    if (this.closing) {
      ws.close(CloseCode.goingAway, 'Server shutting down');
      return;
    }
    const { principal, sessionId } = admission;
    // Wrapped before anything is awaited: the socket holds messages until the room listens.
    const socket = wsBoardSocket(ws);
    this.room(sessionId)
      .then((room) => {
        if (!socket.isOpen) return;
        this.cancelUnload(sessionId);
        room.connect(socket, principal);
        socket.onClose(() => this.scheduleUnload(sessionId, room));
      })
      .catch((err) => {
        this.context.log.error({ err, sessionId }, 'board failed to load');
        socket.close(CloseCode.internal, 'The board could not be loaded');
      });
  }

  /** The room of a session, loading it (and placing the group's labels) on first use. */
  private room(sessionId: string): Promise<BoardRoom> {
    let pending = this.rooms.get(sessionId);
    if (!pending) {
      pending = (async () => {
        const session = await this.context.sessions.get(sessionId);
        const { store, limits, log } = this.context;
        const room = await BoardRoom.load(sessionId, session.groupId, session.state, store, limits, log);
        await this.addLabels(room, await listLabels(this.context.db, session.groupId));
        if (session.state.revealed.includes(1)) await this.placeRevealed(room);
        return room;
      })();
      pending.catch(() => this.rooms.delete(sessionId));
      this.rooms.set(sessionId, pending);
    }
    return pending.then((room) => {
      if (!room.isBroken) return room;
      this.rooms.delete(sessionId);
      return this.room(sessionId);
    });
  }

  private async placeRevealed(room: BoardRoom): Promise<void> {
    const attributes = await listSegment1(this.context.db, room.sessionId);
    room.applyServerChange((doc) => placeAttributes(doc, attributes));
  }

  private scheduleUnload(sessionId: string, room: BoardRoom): void {
    if (room.size > 0 || this.closing) return;
    this.cancelUnload(sessionId);
    const timer = setTimeout(async () => {
      this.idle.delete(sessionId);
      if (room.size > 0 || this.rooms.get(sessionId) === undefined) return;
      this.rooms.delete(sessionId);
      await room.flushed();
      await room.compact(true).catch((err) => this.context.log.error({ err, sessionId }, 'compaction failed'));
      room.close(CloseCode.goingAway, 'Room unloaded');
    }, idleUnloadMs);
    timer.unref();
    this.idle.set(sessionId, timer);
  }

  private cancelUnload(sessionId: string): void {
    const timer = this.idle.get(sessionId);
    if (timer) clearTimeout(timer);
    this.idle.delete(sessionId);
  }
}
