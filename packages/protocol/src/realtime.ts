import type { MapProgress } from './affinity.js';
import type { ErrorBody } from './errors.js';
import type { ControlBody, SessionState } from './sessions.js';

/** Ack of `session:join` and `session:control`: the state, or an error in the contract's shape. */
export type StateAck = { state: SessionState } | ErrorBody;

/** How many participants have submitted the private work of segments 1 and 5 (never what). */
export interface SubmittedCounts {
  1: number;
  5: number;
}

/**
 * Ack of `session:join`: the state and the current submission counts (so a client that joins or
 * reloads shows the right "N of M submitted" before the next `session:submitted`), or an error.
 */
export type JoinAck = { state: SessionState; submitted: SubmittedCounts } | ErrorBody;

/** socket.io events the server emits. Counts only, never content, until a reveal. */
export interface ServerToClientEvents {
  'session:state': (payload: { sessionId: string; state: SessionState }) => void;
  'session:submitted': (payload: { sessionId: string; segment: number; count: number }) => void;
  /** While an affinity map is computed (embedding, then the layout's stages). */
  'affinity-map:progress': (payload: MapProgress) => void;
  /** An affinity map was computed and written into the board. */
  'affinity-map:done': (payload: { sessionId: string; model: string; cards: number; ms: number }) => void;
  /** Computing an affinity map failed (the moderator may try again). */
  'affinity-map:failed': (payload: { sessionId: string; message: string }) => void;
  /** Someone joined, or the moderator renamed, merged or removed a participant: refetch the list. */
  'participants:changed': (payload: { groupId: string }) => void;
  /**
   * The moderator saved the final attributes (segment 4): refetch `GET
   * /api/sessions/:id/final-attributes`. Carries no content.
   */
  'final-attributes:changed': (payload: { sessionId: string }) => void;
  /**
   * The moderator opened or closed an A/B round of the group (told to the rooms of the group's
   * sessions). It names neither model nor any order: refetch `GET /api/groups/:groupId/ab-rounds`.
   */
  'ab-round:changed': (payload: { groupId: string; roundId: string; status: 'open' | 'closed' }) => void;
}

/** socket.io events clients emit, each acknowledged. */
export interface ClientToServerEvents {
  'session:join': (payload: { sessionId: string }, ack: (reply: JoinAck) => void) => void;
  'session:leave': (payload: { sessionId: string }, ack?: (reply: { ok: true } | ErrorBody) => void) => void;
  'session:control': (payload: ControlBody & { sessionId: string }, ack: (reply: StateAck) => void) => void;
}
