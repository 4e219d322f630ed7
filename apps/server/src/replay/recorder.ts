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
 *
 * It keeps nothing in memory: what a change is compared with is read back from the recorded
 * timeline each time (a few rows per session), so a restarted process, or a second node handed
 * the same event, tells only what the timeline does not say yet.
 */
export class SessionRecorder {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly db: Database,
    events: EventBus,
    private readonly now: () => number = Date.now,
  ) {
    this.unsubscribe = [
      // Dated when heard, not when the queue gets to them: a job waits for the session's earlier
      // ones, and a submission dated after that wait came after the reveal that followed it.
      events.subscribe('session-created', ({ sessionId }) => {
        const at = this.now();
        return this.serialise(sessionId, async () => {
          if ((await this.history(sessionId)).some((event) => event.type === 'created')) return;
          await appendSessionEvents(db, sessionId, [rowOf(at, { type: 'created', segment: 0 })]);
        });
      }),
      // The state's own clock (`serverNow`, the moment of the transition) dates its events, not
      // the moment this subscriber gets to them.
      events.subscribe('session-state-changed', ({ sessionId, state }) =>
        this.serialise(sessionId, async () => {
          // A session older than replay has no history: its first change is told from the start.
          const prev = replayFactsOf(await this.history(sessionId)) ?? replayInitialFacts;
          const drafts = replaySessionChanges(prev, factsOf(state));
          await appendSessionEvents(
            db,
            sessionId,
            drafts.map((draft) => rowOf(state.serverNow, draft)),
          );
        }),
      ),
      // A count the timeline already ends on (the same announcement heard twice) is not repeated.
      events.subscribe('submission-made', ({ sessionId, segment, count }) => {
        const at = this.now();
        return this.serialise(sessionId, async () => {
          const last = (await this.history(sessionId)).findLast(
            (event) => event.type === 'submission' && event.segment === segment,
          );
          if (last?.type === 'submission' && last.count === count) return;
          await appendSessionEvents(db, sessionId, [rowOf(at, { type: 'submission', segment, count })]);
        });
      }),
    ];
  }

  /** Stops following the bus. */
  close(): void {
    for (const stop of this.unsubscribe) stop();
  }

  private async history(sessionId: string): Promise<TimelineEventDraft[]> {
    const rows = await listSessionEvents(this.db, sessionId);
    return rows.map((row) => ({ ...row.data, type: row.type }) as TimelineEventDraft);
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
