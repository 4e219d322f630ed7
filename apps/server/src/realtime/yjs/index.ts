import { memberRoles, type Principal } from '@calma/core';
import { type Database, type LabelRow, listAttributes, listLabels, listSegment1, saveBoardMoment } from '@calma/db';
import { ErrorCode } from '@calma/protocol';
import { BoardKey, type Card, CloseCode } from '@calma/protocol/board';
import type { FastifyBaseLogger } from 'fastify';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';
import type * as Y from 'yjs';
import { AppError } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { type AuthOptions, authorizeSession, resolveToken } from '../../plugins/auth.js';
import type { SessionService } from '../../sessions/service.js';
import { clientAddress, type Release, SocketLimits, type SocketPolicy } from '../admission.js';
import { rejectUpgrade, type UpgradeHandler } from '../upgrade.js';
import {
  applyLayout,
  type CardPosition,
  type LabelForBoard,
  placeAttributes,
  placeLabels,
  readBoardCards,
  reflectTaken,
  takeReflectAttributes,
} from './cards.js';
import { UpdateMerger } from './merger.js';
import { BoardMoments } from './moments.js';
import type { BoardRelay } from './ports.js';
import { type BoardLimits, BoardRoom } from './room.js';
import type { BoardStore } from './store.js';
import { clipReason, firstMessageDeadline, Heartbeat, wsBoardSocket } from './ws-socket.js';

export { clipReason, wsBoardSocket };

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
  /** Who may open a board socket (origin, caps) and how long a silent one is kept. */
  readonly policy: SocketPolicy;
  /** Replay: a changing board keeps a moment at most this often (ms; default 30 s). */
  readonly momentEveryMs?: number;
  /** The other nodes holding the same boards (Redis); absent on a single node. */
  readonly relay?: BoardRelay;
}

/** Rooms stay loaded this long after their last client leaves, to ride out reconnects. */
const idleUnloadMs = 30_000;

/**
 * How long a closing socket waits for the peer's close frame before it is dropped (`ws` waits
 * 30 s): refused and timed-out sockets should not linger holding their place.
 */
const closeTimeoutMs = 5_000;

type Admission =
  | { ok: true; principal: Principal; sessionId: string; token: string }
  | { ok: false; code: number; reason: string };

/**
 * The Yjs endpoint `/yjs/:sessionId?token=…`, speaking the plain y-websocket protocol. Who may
 * connect, and whether they may write, is decided before the upgrade is accepted; a refused
 * client gets the upgrade and an immediate close with a 44xx code and a reason, which browsers
 * (unlike an HTTP error on the handshake) can show; a page of a foreign origin gets a 403
 * instead. Sockets are capped per address and per token (4429 past either), must say something
 * soon after opening (4408) and are pinged; one that stops answering is dropped. The board
 * follows the domain through the event bus: it places revealed attributes, new labels and
 * affinity maps as they are announced.
 */
export class BoardServer {
  private readonly rooms = new Map<string, Promise<BoardRoom>>();
  private readonly idle = new Map<string, NodeJS.Timeout>();
  private readonly wss: WebSocketServer;
  private readonly unsubscribe: (() => void)[];
  private closing = false;
  private readonly heartbeat: Heartbeat;
  private readonly sockets: SocketLimits;
  /** Folds boards into snapshots off the event loop. */
  private readonly merger = new UpdateMerger();
  /** Replay: moments of open boards (segment changes, the end, every 30 s while they change). */
  private readonly moments: BoardMoments;

  constructor(private readonly context: BoardContext) {
    // ws would otherwise buffer frames of up to 100 MiB; anything past the update limit (plus
    // framing) is cut off by ws itself with 1009 before it is even read.
    // `closeTimeout` is an option of ws 8.21 that its type declarations do not list yet.
    const options: ServerOptions & { closeTimeout: number } = {
      noServer: true,
      maxPayload: context.limits.maxUpdateBytes + 64 * 1024,
      closeTimeout: closeTimeoutMs,
    };
    this.wss = new WebSocketServer(options);
    this.heartbeat = new Heartbeat(context.policy.pingMs);
    this.sockets = new SocketLimits(context.policy.caps);
    this.moments = new BoardMoments(
      (sessionId, moment) => saveBoardMoment(context.db, sessionId, moment),
      context.momentEveryMs ?? 30_000,
      context.log,
    );
    const { events } = context;
    this.unsubscribe = [
      // A new session's board is loaded at once, so that it takes the group's codes and
      // attributes as they stand when the session starts (not when someone first opens it).
      // A board that fails to load here is tried again (and takes them) when someone opens it:
      // the failure is logged, never the session's creation.
      // Replay: its first moment is the board as the session starts (entering segment 0).
      events.subscribe('session-created', ({ sessionId }) =>
        this.withRoom(sessionId, async (room) => {
          await room.flushed();
          await this.moments.keep(room, 'segment');
        }).catch((err) => this.context.log.error({ err, sessionId }, "a new session's board could not be loaded yet")),
      ),
      events.subscribe(
        'session-state-changed',
        async ({ sessionId, state }) => {
          // An idle board is not loaded for a state change: it reads the state when it loads.
          const room = await this.rooms.get(sessionId)?.catch(() => null);
          room?.setSessionState(state);
          // Replay: a new segment or the end keeps a moment of a loaded board (an unloaded one kept
          // its last when it unloaded, and has not changed since).
          if (room) this.moments.stateChanged(room, state);
        },
        { everyNode: true },
      ),
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
      events.subscribe('labels-added', ({ groupId }) => this.labelsAdded(groupId), { everyNode: true }),
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
    const { policy } = this.context;
    // A page of another site gets no socket at all: refused before the upgrade, like any
    // cross-site request a server will not serve (the close codes below are for our own pages).
    if (!policy.originAllowed(request.headers)) {
      rejectUpgrade(socket, 403, 'Origin not allowed');
      return;
    }
    // Places are held until the TCP socket is gone, so an address never holds more sockets than
    // its cap in any state (refused and closing ones included), nor a token more admitted ones.
    // The address is counted before the token is looked up: a flood from one address never
    // reaches the database.
    const places: Release[] = [];
    const release = () => {
      for (const place of places.splice(0)) place();
    };
    socket.once('close', release);
    const address = this.sockets.address(clientAddress(request, policy.trustProxy));
    if (address) places.push(address);
    const admitted: Promise<Admission> = address
      ? this.admit(request.url ?? '')
      : Promise.resolve({ ok: false, code: CloseCode.rateLimited, reason: 'Too many connections from this address' });
    void admitted.then((admission) => {
      let decided = admission;
      if (decided.ok) {
        const token = this.sockets.token(decided.token);
        if (token) places.push(token);
        else decided = { ok: false, code: CloseCode.rateLimited, reason: 'Too many connections for this token' };
      }
      if (socket.destroyed) {
        release();
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, decided));
    });
  };

  /** The cards of a session's board as they are now (loading the board if needed). */
  cards(sessionId: string): Promise<Card[]> {
    return this.withRoom(sessionId, (room) => readBoardCards(room.accepted));
  }

  /** Adds cards for the labels new to each loaded board of the group. */
  private async labelsAdded(groupId: string): Promise<void> {
    const rooms = [];
    for (const pending of this.rooms.values()) {
      const room = await pending.catch(() => null);
      if (room && room.groupId === groupId && !room.isBroken) rooms.push(room);
    }
    // Only a loaded board of the group reads its labels: a save with no board open (coding
    // with thousands of codes in the group) does not wait for a read of all of them.
    if (rooms.length === 0) return;
    const labels = await listLabels(this.context.db, groupId);
    for (const room of rooms) await this.addLabels(room, labels);
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
      await this.moments.release(room);
      await room.compact(true).catch((err) => this.context.log.error({ err, sessionId }, 'compaction on close failed'));
      room.close(CloseCode.goingAway, 'Server shutting down');
    }
    this.rooms.clear();
    await this.context.store.drain();
    await this.merger.close();
    this.heartbeat.stop();
    this.wss.close();
  }

  private async admit(url: string): Promise<Admission> {
    try {
      const parsed = new URL(url, 'http://calma.invalid');
      const sessionId = decodeURIComponent(parsed.pathname.slice('/yjs/'.length).replace(/\/+$/, ''));
      if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(sessionId))
        return { ok: false, code: CloseCode.notFound, reason: 'Unknown session' };
      const token = parsed.searchParams.get('token');
      const principal = await resolveToken(this.context.auth, token);
      if (!principal || !token)
        return { ok: false, code: CloseCode.unauthorized, reason: 'A valid ?token= is required' };
      await authorizeSession(this.context.sessions, principal, sessionId, memberRoles);
      return { ok: true, principal, sessionId, token };
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
    this.heartbeat.watch(ws);
    if (!admission.ok) {
      ws.close(admission.code, clipReason(admission.reason));
      return;
    }
    if (this.closing) {
      ws.close(CloseCode.goingAway, 'Server shutting down');
      return;
    }
    const { principal, sessionId } = admission;
    firstMessageDeadline(ws, this.context.policy.idleMs);
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
        const room = await BoardRoom.load(
          sessionId,
          session.groupId,
          session.state,
          store,
          limits,
          log,
          this.merger.merge,
          this.context.relay ?? null,
        );
        // Replay follows the board from its load, before the server places anything on it.
        this.moments.watch(room, session.state);
        const labels = await listLabels(this.context.db, session.groupId);
        await this.addLabels(room, labels);
        if (session.state.status !== 'ended' && !reflectTaken(room.accepted))
          await this.takeReflectAttributes(room, labels);
        if (session.state.revealed.includes(1)) await this.placeRevealed(room);
        return room;
      })();
      pending.catch(() => this.rooms.delete(sessionId));
      this.rooms.set(sessionId, pending);
    }
    return pending.then((room) => {
      if (!room.isBroken) return room;
      void this.moments.release(room, false);
      this.rooms.delete(sessionId);
      return this.room(sessionId);
    });
  }

  /** Places the group's shared focused-coding attributes, once per board (see `takeReflectAttributes`). */
  private async takeReflectAttributes(room: BoardRoom, labels: readonly LabelRow[]): Promise<void> {
    const texts = new Map(labels.map((label) => [label.id, label.text]));
    const shared = (await listAttributes(this.context.db, room.groupId)).filter((a) => a.shared);
    const attributes = shared.map((a) => ({
      id: a.id,
      participantId: a.participantId,
      name: a.name,
      definition: a.definition,
      codes: a.codes.flatMap((c) => {
        const text = texts.get(c.labelId);
        return text === undefined ? [] : [{ text, sign: c.sign }];
      }),
    }));
    room.applyServerChange((doc) => takeReflectAttributes(doc, attributes, Date.now()));
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
      await this.moments.release(room);
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
