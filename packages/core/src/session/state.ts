/**
 * The Discuss session as a pure state machine. Clocks are absolute epoch milliseconds so a
 * persisted state resumes correctly after a restart; `now` is always passed in, never read.
 */

/** Segment 0 is the artifacts review; 1–5 are the paper's segments. */
export type Segment = 0 | 1 | 2 | 3 | 4 | 5;
/** The last segment. */
export const lastSegment: Segment = 5;

/** Where the current segment's clock is. */
export type SessionStatus = 'pending' | 'running' | 'paused' | 'ended';

/** Segment 3's speaking queue: who presents, in which order, each turn timed. */
export interface SpeakingQueue {
  /** Participant ids in speaking order. */
  readonly order: readonly string[];
  /** Index into `order` of the person speaking, or null before the first turn / after the last. */
  readonly current: number | null;
  /** Length of one turn. */
  readonly turnMs: number;
  /** Deadline of the current turn while the session runs. */
  readonly turnEndsAt: number | null;
  /** Time left in the current turn while paused. */
  readonly turnRemainingMs: number | null;
}

/** Everything the server persists about a session's progress. */
export interface SessionState {
  readonly segment: Segment;
  readonly status: SessionStatus;
  /** When the current segment started running. */
  readonly startedAt: number | null;
  /** Deadline of the current segment while running. */
  readonly endsAt: number | null;
  /** Time left, frozen while paused. */
  readonly pausedRemainingMs: number | null;
  /** Planned length of the current segment including extensions. */
  readonly durationMs: number | null;
  /** Segments whose private submissions the moderator has revealed, ascending. */
  readonly revealed: readonly Segment[];
  /** The moderator locked the board for participants. */
  readonly boardLocked: boolean;
  readonly speakers: SpeakingQueue;
  readonly endedAt: number | null;
  /**
   * Counts the transitions that changed this state. A moderator's action may name the revision it
   * was decided on, so that a second click (or a second tab acting on an old view) is refused
   * instead of advancing twice or skipping a speaker. States persisted before it existed count
   * as revision 0 (see {@link restoreSessionState}).
   */
  readonly revision: number;
}

/** Moderator actions, tagged by `type`; `start`…`end` are the contract's, the rest are additions. */
export type SessionAction =
  | { readonly type: 'start'; readonly segment: Segment; readonly durationMs: number }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'extend'; readonly durationMs: number }
  | { readonly type: 'advance'; readonly durationMs?: number | undefined }
  | { readonly type: 'reveal'; readonly segment: Segment }
  | { readonly type: 'end' }
  | { readonly type: 'lock-board' }
  | { readonly type: 'unlock-board' }
  | { readonly type: 'set-speakers'; readonly participantIds: readonly string[]; readonly turnMs: number }
  | { readonly type: 'next-speaker' }
  | { readonly type: 'previous-speaker' };

/**
 * A transition's outcome: the new state, or why the action is illegal now (→ 409). `stale` marks
 * a refusal because the action was decided on an older revision than the state's.
 */
export type Transition =
  | { readonly ok: true; readonly state: SessionState }
  | { readonly ok: false; readonly reason: string; readonly stale?: true };

/** A new session: segment 0, not started. */
export function initialSessionState(): SessionState {
  return {
    segment: 0,
    status: 'pending',
    startedAt: null,
    endsAt: null,
    pausedRemainingMs: null,
    durationMs: null,
    revealed: [],
    boardLocked: false,
    speakers: { order: [], current: null, turnMs: 120_000, turnEndsAt: null, turnRemainingMs: null },
    endedAt: null,
    revision: 0,
  };
}

/**
 * A persisted state as core expects it: states stored before a field existed get its default
 * (`revision` 0), so old sessions still load and can be steered.
 */
export function restoreSessionState(stored: Omit<SessionState, 'revision'> & { revision?: number }): SessionState {
  return { ...stored, revision: typeof stored.revision === 'number' ? stored.revision : 0 };
}

const refuse = (reason: string): Transition => ({ ok: false, reason });
const accept = (state: SessionState): Transition => ({ ok: true, state });

/** The next segment's state: the clock and the speaker's turn start afresh. */
function enterSegment(
  state: SessionState,
  segment: Segment,
  now: number,
  durationMs: number | undefined,
): SessionState {
  const running = durationMs !== undefined;
  return {
    ...state,
    segment,
    status: running ? 'running' : 'pending',
    startedAt: running ? now : null,
    endsAt: running ? now + durationMs : null,
    pausedRemainingMs: null,
    durationMs: durationMs ?? null,
    speakers: { ...state.speakers, current: null, turnEndsAt: null, turnRemainingMs: null },
  };
}

/**
 * Applies a moderator action at time `now`. Segments only go forward; a segment's clock is
 * started once (then paused, resumed, extended); an ended session accepts only `reveal`, so
 * analysts can still be shown what was private. With `expectedRevision` the action is refused
 * (`stale`) unless the state is still at that revision: the moderator decided on what they saw.
 * Every transition that changes the state increments `revision`; one that changes nothing (a
 * second reveal, locking a locked board) leaves the state as it is, the same object.
 */
export function applySessionAction(
  state: SessionState,
  action: SessionAction,
  now: number,
  expectedRevision?: number,
): Transition {
  if (expectedRevision !== undefined && expectedRevision !== state.revision) {
    return {
      ok: false,
      stale: true,
      reason: `The session is at revision ${state.revision}, not ${expectedRevision}: it changed since this action was chosen`,
    };
  }
  const result = transition(state, action, now);
  if (!result.ok || result.state === state) return result;
  return accept({ ...result.state, revision: state.revision + 1 });
}

function transition(state: SessionState, action: SessionAction, now: number): Transition {
  if (state.status === 'ended' && action.type !== 'reveal') return refuse('The session has ended');
  switch (action.type) {
    case 'start': {
      if (action.segment < state.segment) return refuse(`Segment ${action.segment} is over: segments only go forward`);
      if (action.segment === state.segment && state.status !== 'pending') {
        return refuse(`Segment ${action.segment} is already ${state.status}; use extend, pause or resume`);
      }
      return accept(enterSegment(state, action.segment, now, action.durationMs));
    }
    case 'pause': {
      if (state.status !== 'running') return refuse(`Only a running segment can be paused (it is ${state.status})`);
      const turn = state.speakers;
      return accept({
        ...state,
        status: 'paused',
        pausedRemainingMs: Math.max(0, (state.endsAt ?? now) - now),
        endsAt: null,
        speakers:
          turn.turnEndsAt === null
            ? turn
            : { ...turn, turnEndsAt: null, turnRemainingMs: Math.max(0, turn.turnEndsAt - now) },
      });
    }
    case 'resume': {
      if (state.status !== 'paused') return refuse(`Only a paused segment can be resumed (it is ${state.status})`);
      const turn = state.speakers;
      return accept({
        ...state,
        status: 'running',
        endsAt: now + (state.pausedRemainingMs ?? 0),
        pausedRemainingMs: null,
        speakers:
          turn.turnRemainingMs === null
            ? turn
            : { ...turn, turnEndsAt: now + turn.turnRemainingMs, turnRemainingMs: null },
      });
    }
    case 'extend': {
      if (state.status === 'running') {
        // An expired clock extends from now, not from the past deadline.
        const from = Math.max(state.endsAt ?? now, now);
        return accept({
          ...state,
          endsAt: from + action.durationMs,
          durationMs: (state.durationMs ?? 0) + action.durationMs,
        });
      }
      if (state.status === 'paused') {
        return accept({
          ...state,
          pausedRemainingMs: (state.pausedRemainingMs ?? 0) + action.durationMs,
          durationMs: (state.durationMs ?? 0) + action.durationMs,
        });
      }
      return refuse(`Only a running or paused segment can be extended (it is ${state.status})`);
    }
    case 'advance': {
      if (state.segment === lastSegment) return refuse('Segment 5 is the last: end the session instead');
      return accept(enterSegment(state, (state.segment + 1) as Segment, now, action.durationMs));
    }
    case 'reveal': {
      if (action.segment > state.segment) return refuse(`Segment ${action.segment} has not been reached`);
      if (state.revealed.includes(action.segment)) return accept(state);
      return accept({ ...state, revealed: [...state.revealed, action.segment].sort((a, b) => a - b) });
    }
    case 'end':
      return accept({
        ...state,
        status: 'ended',
        endsAt: null,
        pausedRemainingMs: null,
        endedAt: now,
        speakers: { ...state.speakers, turnEndsAt: null, turnRemainingMs: null },
      });
    case 'lock-board':
      return accept(state.boardLocked ? state : { ...state, boardLocked: true });
    case 'unlock-board':
      return accept(state.boardLocked ? { ...state, boardLocked: false } : state);
    case 'set-speakers': {
      if (new Set(action.participantIds).size !== action.participantIds.length)
        return refuse('A speaker is listed twice');
      return accept({
        ...state,
        speakers: {
          order: [...action.participantIds],
          current: null,
          turnMs: action.turnMs,
          turnEndsAt: null,
          turnRemainingMs: null,
        },
      });
    }
    case 'next-speaker': {
      if (state.segment !== 3 || state.status !== 'running') {
        return refuse('Turns are given in segment 3 while it is running');
      }
      const next = state.speakers.current === null ? 0 : state.speakers.current + 1;
      if (next >= state.speakers.order.length) {
        return refuse(
          state.speakers.order.length === 0 ? 'The speaking queue is empty' : 'Everyone in the queue has spoken',
        );
      }
      return accept({
        ...state,
        speakers: { ...state.speakers, current: next, turnEndsAt: now + state.speakers.turnMs, turnRemainingMs: null },
      });
    }
    case 'previous-speaker': {
      // The way back after a skipped turn: the one before gets the floor again, with a fresh turn.
      if (state.segment !== 3 || state.status !== 'running') {
        return refuse('Turns are given in segment 3 while it is running');
      }
      const current = state.speakers.current;
      if (current === null || current === 0) {
        return refuse(current === null ? 'No one has spoken yet' : 'The first speaker has the floor: no one is before');
      }
      return accept({
        ...state,
        speakers: {
          ...state.speakers,
          current: current - 1,
          turnEndsAt: now + state.speakers.turnMs,
          turnRemainingMs: null,
        },
      });
    }
  }
}

/** Whether the segment accepts participants' submissions now (it is current and running). */
export function acceptsSubmissions(state: SessionState, segment: Segment): boolean {
  return state.segment === segment && state.status === 'running';
}

/** What clients are told: the contract's fields with clocks resolved at `now`. */
export interface SessionStateView {
  readonly segment: Segment;
  readonly status: SessionStatus;
  readonly startedAt: number | null;
  readonly endsAt: number | null;
  /** Time left in the segment: counts down while running, frozen while paused, null before it starts. */
  readonly remainingMs: number | null;
  /** The server's clock when this view was made, so clients can correct for skew. */
  readonly serverNow: number;
  revealed: Segment[];
  readonly durationMs: number | null;
  readonly boardLocked: boolean;
  readonly speakers: {
    order: string[];
    readonly currentSpeakerId: string | null;
    readonly nextSpeakerId: string | null;
    readonly turnMs: number;
    readonly turnEndsAt: number | null;
    readonly turnRemainingMs: number | null;
  };
  /** The state's revision, to send back with the next control action. */
  readonly revision: number;
}

/** Resolves the clocks of `state` at `now` for clients. */
export function viewSessionState(state: SessionState, now: number): SessionStateView {
  const remainingMs =
    state.status === 'running'
      ? Math.max(0, (state.endsAt ?? now) - now)
      : state.status === 'paused'
        ? state.pausedRemainingMs
        : state.status === 'ended'
          ? 0
          : null;
  const { order, current, turnMs, turnEndsAt, turnRemainingMs } = state.speakers;
  const nextIndex = current === null ? 0 : current + 1;
  return {
    segment: state.segment,
    status: state.status,
    startedAt: state.startedAt,
    endsAt: state.endsAt,
    remainingMs,
    serverNow: now,
    revealed: [...state.revealed],
    durationMs: state.durationMs,
    boardLocked: state.boardLocked,
    speakers: {
      order: [...order],
      currentSpeakerId: current === null ? null : (order[current] ?? null),
      nextSpeakerId: state.status === 'ended' ? null : (order[nextIndex] ?? null),
      turnMs,
      turnEndsAt,
      turnRemainingMs: turnEndsAt !== null ? Math.max(0, turnEndsAt - now) : turnRemainingMs,
    },
    revision: state.revision,
  };
}
