import {
  type ReplaySessionFacts,
  replayFactsOf,
  replayInitialFacts,
  replaySessionChanges,
  type SessionStateView,
  type TimelineEventDraft,
} from '@calma/core';
import { appendSessionEvents, type Database, listSessionEvents } from '@calma/db';
import type { EventBus } from '../events/bus.js';

const factsOf = (state: SessionStateView): ReplaySessionFacts => ({
  segment: state.segment,
  status: state.status,
  revealed: [...state.revealed],
  boardLocked: state.boardLocked,
});

const rowOf = (at: number, { type, ...data }: TimelineEventDraft) => ({ at: new Date(at), type, data });

/**
 * Writes each session's timeline for replay from the domain events: its creation, every state
 * change told as what changed (core's `replaySessionChanges`), and submission counts. It follows
 * the bus, so no call site of the session service knows it exists. Events of one session are
 * written one after another, in the order they were published.
 */
export class SessionRecorder {
  /** The facts last recorded per session; after a restart, read back from its timeline. */
  private readonly facts = new Map<string, ReplaySessionFacts>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly db: Database,
    events: EventBus,
    private readonly now: () => number = Date.now,
  ) {
    this.unsubscribe = [
      events.subscribe('session-created', ({ sessionId }) =>
        this.serialise(sessionId, async () => {
          await appendSessionEvents(db, sessionId, [rowOf(this.now(), { type: 'created', segment: 0 })]);
          this.facts.set(sessionId, replayInitialFacts);
        }),
      ),
      // The state's own clock (`serverNow`, the moment of the transition) dates its events, not
      // the moment this subscriber gets to them.
      events.subscribe('session-state-changed', ({ sessionId, state }) =>
        this.serialise(sessionId, async () => {
          const prev = await this.lastFacts(sessionId);
          const next = factsOf(state);
          const drafts = replaySessionChanges(prev, next);
          await appendSessionEvents(
            db,
            sessionId,
            drafts.map((draft) => rowOf(state.serverNow, draft)),
          );
          this.facts.set(sessionId, next);
        }),
      ),
      events.subscribe('submission-made', ({ sessionId, segment, count }) =>
        this.serialise(sessionId, () =>
          appendSessionEvents(db, sessionId, [rowOf(this.now(), { type: 'submission', segment, count })]),
        ),
      ),
    ];
  }

  /** Stops following the bus. */
  close(): void {
    for (const stop of this.unsubscribe) stop();
  }

  private async lastFacts(sessionId: string): Promise<ReplaySessionFacts> {
    const known = this.facts.get(sessionId);
    if (known) return known;
    const rows = await listSessionEvents(this.db, sessionId);
    const drafts = rows.map((row) => ({ ...row.data, type: row.type }) as TimelineEventDraft);
    // A session older than replay has no history: its first change is told from the start.
    return replayFactsOf(drafts) ?? replayInitialFacts;
  }

  /**
   * Runs `task` after the session's earlier ones. The chain is started synchronously by the
   * handler, so events are written in the order the bus handed them over.
   */
  private serialise(sessionId: string, task: () => Promise<void>): Promise<void> {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    const next = previous.then(task);
    const settled = next.catch(() => undefined);
    this.queues.set(sessionId, settled);
    void settled.then(() => {
      if (this.queues.get(sessionId) === settled) this.queues.delete(sessionId);
    });
    return next;
  }
}
