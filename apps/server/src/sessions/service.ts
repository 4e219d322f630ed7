import {
  applySessionAction,
  initialSessionState,
  RecentMap,
  restoreSessionState,
  type SessionAction,
  type SessionState,
  type SessionStateView,
  viewSessionState,
} from '@calma/core';
import {
  countSubmitters,
  createSession,
  type Database,
  type Db,
  findSession,
  listSessions,
  type SessionRow,
  saveSessionState,
} from '@calma/db';
import { ErrorCode } from '@calma/protocol';
import { conflict, notFound } from '../errors.js';
import type { EventBus } from '../events/bus.js';

/** A session as the service hands it out: the row and its typed state. */
export interface LoadedSession {
  readonly id: string;
  readonly groupId: string;
  readonly state: SessionState;
  readonly version: number;
  readonly row: SessionRow;
}

const load = (row: SessionRow): LoadedSession => ({
  id: row.id,
  groupId: row.groupId,
  // States stored before `revision` existed load as revision 0.
  state: restoreSessionState(row.state),
  version: row.version,
  row,
});

/** Sessions one node remembers (see `SessionService.remembered`). */
const maxRemembered = 1000;

/**
 * Runs sessions: every transition goes through `control`, which applies core's reducer, persists
 * the new state (optimistically versioned) and only then announces it on the event bus.
 * Transitions of one session are serialised so that two moderators clicking at once cannot
 * interleave read and write.
 */
export class SessionService {
  private readonly queues = new Map<string, Promise<unknown>>();
  /**
   * Sessions as this node last read or wrote them, most recent last (at most
   * {@link maxRemembered}): a moderator's action is authorised on its group (which never changes)
   * and tried on its state without reading the row first; the conditional UPDATE in `control`
   * catches a row that moved since (another node, another process), and then it is read.
   */
  private readonly remembered = new RecentMap<string, LoadedSession>(maxRemembered);

  constructor(
    private readonly connection: Db,
    private readonly events: EventBus,
    private readonly now: () => number = Date.now,
  ) {}

  private get db(): Database {
    return this.connection.db;
  }

  /**
   * Creates a session for a group, in segment 0, not started, and announces it: the board loads
   * and takes the group's codes and attributes as they stand now, before this resolves.
   */
  async create(groupId: string): Promise<LoadedSession> {
    const session = load(await createSession(this.db, groupId, initialSessionState()));
    await this.events.publish({ type: 'session-created', sessionId: session.id, groupId });
    return session;
  }

  /** Loads a session or throws 404. */
  async get(sessionId: string): Promise<LoadedSession> {
    const row = await findSession(this.db, sessionId);
    if (!row) {
      this.remembered.delete(sessionId);
      throw notFound('Session');
    }
    return this.remember(load(row));
  }

  /**
   * The session as this node last saw it, or as stored when it has not (404 if none): to authorise
   * and try a control action in one round trip. Its state may be old; `control` checks it.
   */
  lastKnown(sessionId: string): Promise<LoadedSession> {
    const known = this.remembered.get(sessionId);
    return known ? Promise.resolve(known) : this.get(sessionId);
  }

  private remember(session: LoadedSession): LoadedSession {
    this.remembered.set(session.id, session);
    return session;
  }

  /** A group's sessions. */
  async list(groupId: string): Promise<LoadedSession[]> {
    return (await listSessions(this.db, groupId)).map(load);
  }

  /** The state as clients see it now. */
  view(state: SessionState): SessionStateView {
    return viewSessionState(state, this.now());
  }

  /**
   * Applies a moderator action; 409 `WRONG_STATE` when it is illegal in the current state, 409
   * `STALE_REVISION` when `expectedRevision` is given and the state has moved past it (a second
   * click, or another tab acting first). Either way the state is left as it was.
   *
   * `known` is the session as the caller just read it (to authorise the request): the action is
   * applied to it and stored with one conditional UPDATE, so an action costs one round trip after
   * authorisation, and what is announced is what that statement committed. If the row moved since
   * (its version no longer matches), or the action looks illegal or idle on what may be an old
   * read, the session is read again and the action applied to that.
   */
  control(
    sessionId: string,
    action: SessionAction,
    expectedRevision?: number,
    known?: LoadedSession,
  ): Promise<SessionStateView> {
    return this.serialise(sessionId, async () => {
      let read: LoadedSession | undefined = known?.id === sessionId ? known : undefined;
      for (let attempt = 0; attempt < 3; attempt++) {
        const fresh = read === undefined;
        const session = read ?? (await this.get(sessionId));
        read = undefined;
        const now = this.now();
        const result = applySessionAction(session.state, action, now, expectedRevision);
        if (!result.ok || result.state === session.state) {
          // Judged on the caller's read, which may be old: judge again on the stored row.
          if (!fresh) {
            attempt--;
            continue;
          }
          if (!result.ok) throw conflict(result.reason, result.stale ? ErrorCode.staleRevision : ErrorCode.wrongState);
          return viewSessionState(session.state, now);
        }
        // Durable before anyone is told: a broadcast state must survive a crash.
        const saved = await saveSessionState(this.connection, sessionId, result.state, session.version);
        if (saved === null) continue; // the row moved since it was read: read it again and re-apply
        this.remember({
          ...session,
          state: result.state,
          version: saved,
          row: { ...session.row, state: result.state, version: saved },
        });
        const view = viewSessionState(result.state, now);
        this.events.notify({ type: 'session-state-changed', sessionId, state: view });
        for (const segment of result.state.revealed) {
          if (!session.state.revealed.includes(segment))
            this.events.notify({ type: 'segment-revealed', sessionId, segment });
        }
        return view;
      }
      throw conflict('The session changed concurrently; try again', ErrorCode.conflict);
    });
  }

  /** Announces how many participants have submitted a private segment (never what). */
  async announceSubmission(sessionId: string, segment: 1 | 5): Promise<void> {
    const count = await countSubmitters(this.db, sessionId, segment);
    this.events.notify({ type: 'submission-made', sessionId, segment, count });
  }

  /** How many participants have submitted segments 1 and 5 now (never what). */
  async submittedCounts(sessionId: string): Promise<{ 1: number; 5: number }> {
    const [one, five] = await Promise.all([
      countSubmitters(this.db, sessionId, 1),
      countSubmitters(this.db, sessionId, 5),
    ]);
    return { 1: one, 5: five };
  }

  /** Tells the session's members that the final attributes changed (they read them themselves). */
  announceFinalAttributes(sessionId: string): void {
    this.events.notify({ type: 'final-attributes-changed', sessionId });
  }

  private serialise<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
  }
}
