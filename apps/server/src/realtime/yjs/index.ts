import type { Principal } from '@calma/core';
import { type Database, type Db, listLabels, listSegment1 } from '@calma/db';
import { CloseCode, ErrorCode } from '@calma/protocol';
import type { FastifyInstance } from 'fastify';
import { type WebSocket, WebSocketServer } from 'ws';
import type * as Y from 'yjs';
import { AppError } from '../../errors.js';
import { type AuthOptions, requireGroupAccess, resolveToken } from '../../plugins/auth.js';
import type { SessionService } from '../../sessions/service.js';
import type { UpgradeHandler } from '../upgrade.js';
import {
  applyLayout,
  type BoardCard,
  type CardPosition,
  type LabelForBoard,
  placeAttributes,
  placeLabels,
  readCards,
} from './cards.js';
import { type BoardConnection, type BoardLimits, BoardRoom } from './room.js';
import { BoardStore } from './store.js';

/** What the board needs from the rest of the server. */
export interface BoardContext {
  readonly db: Database;
  /** The same database with its driver, for the board's hot write path. */
  readonly connection: Db;
  readonly sessions: SessionService;
  readonly auth: AuthOptions;
  readonly limits: BoardLimits;
}

/**
 * Where new label cards go on a session's board: positions by label id (an affinity map exists),
 * or null for the default grid. `board` is the board as accepted so far, to read, not to change.
 */
export type LabelPlacement = (
  sessionId: string,
  board: Y.Doc,
  labels: readonly LabelForBoard[],
) => Promise<ReadonlyMap<string, CardPosition> | null>;

/** Rooms stay loaded this long after their last client leaves, to ride out reconnects. */
const idleUnloadMs = 30_000;

type Admission = { ok: true; principal: Principal; sessionId: string } | { ok: false; code: number; reason: string };

/**
 * The Yjs endpoint `/yjs/:sessionId?token=…`, speaking the plain y-websocket protocol. Who may
 * connect, and whether they may write, is decided before the upgrade is accepted; a refused
 * client gets the upgrade and an immediate close with a 44xx code and a reason, which browsers
 * (unlike an HTTP error on the handshake) can show.
 */
export class BoardServer {
  private readonly rooms = new Map<string, Promise<BoardRoom>>();
  private readonly idle = new Map<string, NodeJS.Timeout>();
  /** Sessions whose segment 1 this server has seen revealed. */
  private readonly revealed = new Set<string>();
  private readonly wss: WebSocketServer;
  private readonly store: BoardStore;
  private closing = false;
  /** Set by the affinity map, which places labels added after a map near their neighbours. */
  labelPlacement: LabelPlacement | null = null;

  constructor(
    private readonly app: FastifyInstance,
    private readonly context: BoardContext,
  ) {
    this.store = new BoardStore(context.connection);
    // ws would otherwise buffer frames of up to 100 MiB; anything past the update limit (plus
    // framing) is cut off by ws itself with 1009 before it is even read.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: context.limits.maxUpdateBytes + 64 * 1024 });
    context.sessions.on('state', (sessionId, state) => void this.onSessionState(sessionId, state));
    // A segment-1 submission made after the reveal joins the board too.
    context.sessions.on('submitted', (sessionId, segment) => {
      if (segment !== 1 || !this.revealed.has(sessionId)) return;
      void this.room(sessionId)
        .then((room) => this.placeRevealed(room))
        .catch((err) => this.app.log.error({ err, sessionId }, 'board did not take a revealed attribute'));
    });
  }

  /** The handler the upgrade router calls for `/yjs/…`. */
  readonly upgrade: UpgradeHandler = (request, socket, head) => {
    void this.admit(request.url ?? '').then((admission) => {
      if (socket.destroyed) return;
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, admission));
    });
  };

  /** Adds cards for labels that are new to a session's board (when its room is loaded). */
  async labelsAdded(groupId: string): Promise<void> {
    const labels = await listLabels(this.context.db, groupId);
    for (const pending of this.rooms.values()) {
      const room = await pending.catch(() => null);
      if (room && room.groupId === groupId && !room.isBroken) await this.addLabels(room, labels);
    }
  }

  /** The cards of a session's board as they are now (loading the board if needed). */
  async cards(sessionId: string): Promise<BoardCard[]> {
    const room = await this.room(sessionId);
    const cards = readCards(room.accepted);
    this.scheduleUnload(sessionId, room);
    return cards;
  }

  /** Moves cards to a layout's positions, through the same durable path as any update. */
  async applyLayout(
    sessionId: string,
    points: readonly { cardId: string; x: number; y: number; clusterId: number }[],
    clusters: readonly { id: number; name: string; size: number }[],
  ): Promise<void> {
    const room = await this.room(sessionId);
    const accepted = room.applyServerChange((doc) => applyLayout(doc, points, clusters));
    if (!accepted)
      throw new AppError(413, ErrorCode.payloadTooLarge, 'The board is full: the layout could not be written into it');
    await room.flushed();
    this.scheduleUnload(sessionId, room);
  }

  /** Adds cards for the labels not on the board yet, placed by the affinity map when there is one. */
  private async addLabels(room: BoardRoom, labels: readonly LabelForBoard[]): Promise<void> {
    const placed = room.accepted.getMap('labelCards');
    const fresh = labels.filter((label) => !placed.has(label.id));
    if (fresh.length === 0) return;
    let positions: ReadonlyMap<string, CardPosition> | null = null;
    if (this.labelPlacement) {
      positions = await this.labelPlacement(room.sessionId, room.accepted, fresh).catch((err) => {
        this.app.log.warn(
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
    for (const timer of this.idle.values()) clearTimeout(timer);
    for (const [sessionId, pending] of this.rooms) {
      const room = await pending.catch(() => null);
      if (!room) continue;
      await room.flushed();
      await room.compact(true).catch((err) => this.app.log.error({ err, sessionId }, 'compaction on close failed'));
      room.close(CloseCode.goingAway, 'Server shutting down');
    }
    this.rooms.clear();
    await this.store.drain();
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
      const session = await this.context.sessions.get(sessionId);
      requireGroupAccess(principal, session.groupId, ['moderator', 'analyst', 'participant']);
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
      this.app.log.error({ err }, 'board admission failed');
      return { ok: false, code: CloseCode.internal, reason: 'Internal error' };
    }
  }

  private accept(ws: WebSocket, admission: Admission): void {
    ws.on('error', (err) => this.app.log.debug({ err }, 'board socket error'));
    if (!admission.ok) {
      ws.close(admission.code, admission.reason);
      return;
    }
    if (this.closing) {
      ws.close(CloseCode.goingAway, 'Server shutting down');
      return;
    }
    const { principal, sessionId } = admission;
    // Listen before anything is awaited, holding messages until the room has loaded: a client
    // sends its first sync step as soon as the socket opens.
    const early: Uint8Array[] = [];
    let connection: BoardConnection | null = null;
    let room: BoardRoom | null = null;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        ws.close(CloseCode.badRequest, 'Binary y-websocket messages only');
        return;
      }
      const bytes = data as Buffer;
      if (room && connection) room.handleMessage(connection, bytes);
      else early.push(bytes);
    });
    ws.on('close', () => {
      if (room) {
        room.removeConnection(ws);
        this.scheduleUnload(sessionId, room);
      }
    });
    this.room(sessionId)
      .then((loaded) => {
        if (ws.readyState !== ws.OPEN) return;
        room = loaded;
        this.cancelUnload(sessionId);
        connection = loaded.addConnection(ws, principal);
        for (const message of early.splice(0)) loaded.handleMessage(connection, message);
      })
      .catch((err) => {
        this.app.log.error({ err, sessionId }, 'board failed to load');
        ws.close(CloseCode.internal, 'The board could not be loaded');
      });
  }

  /** The room of a session, loading it (and placing the group's labels) on first use. */
  private room(sessionId: string): Promise<BoardRoom> {
    let pending = this.rooms.get(sessionId);
    if (!pending) {
      pending = (async () => {
        const session = await this.context.sessions.get(sessionId);
        const room = await BoardRoom.load(
          sessionId,
          session.groupId,
          session.state,
          this.store,
          this.context.limits,
          this.app.log,
        );
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

  private async onSessionState(
    sessionId: string,
    state: { segment: number; status: string; boardLocked: boolean; revealed: number[] },
  ): Promise<void> {
    const pending = this.rooms.get(sessionId);
    // Only the reveal itself places cards: later state changes (every pause, every turn) must not
    // re-read segment 1 or load an idle board.
    const newlyRevealed = state.revealed.includes(1) && !this.revealed.has(sessionId);
    if (newlyRevealed) this.revealed.add(sessionId);
    if (!pending && !newlyRevealed) return;
    try {
      // Revealing segment 1 puts every participant's attributes on the board, loaded or not.
      const room = await (pending ?? this.room(sessionId));
      room.sessionState = state as BoardRoom['sessionState'];
      if (newlyRevealed) await this.placeRevealed(room);
      if (!pending) this.scheduleUnload(sessionId, room);
    } catch (err) {
      this.app.log.error({ err, sessionId }, 'board did not follow the session state');
    }
  }

  private scheduleUnload(sessionId: string, room: BoardRoom): void {
    if (room.size > 0 || this.closing) return;
    this.cancelUnload(sessionId);
    const timer = setTimeout(async () => {
      this.idle.delete(sessionId);
      if (room.size > 0 || this.rooms.get(sessionId) === undefined) return;
      this.rooms.delete(sessionId);
      await room.flushed();
      await room.compact(true).catch((err) => this.app.log.error({ err, sessionId }, 'compaction failed'));
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
