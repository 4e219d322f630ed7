import { applySessionAction, type SessionAction, type SessionState, viewSessionState } from '@calma/core';
import { listSessionEvents } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../events/bus.js';
import { bearer, createGroup, startTestApp, type TestApp } from '../testing.js';
import { SessionRecorder } from './recorder.js';

/** The recorder follows the bus; after a restart it reads where the session was from its timeline. */
describe.each(databaseKinds)('the session recorder on %s', (kind) => {
  let t: TestApp;
  let sessionId: string;
  let moderatorToken: string;

  beforeAll(async () => {
    t = await startTestApp(kind);
    const group = await createGroup(t);
    moderatorToken = group.moderatorToken;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${group.id}/sessions`,
      headers: bearer(moderatorToken),
    });
    sessionId = res.json().id;
  });
  afterAll(() => t.close());

  const control = async (body: object): Promise<SessionState> => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/sessions/${sessionId}/control`,
      payload: body,
      headers: bearer(moderatorToken),
    });
    expect(res.statusCode).toBe(200);
    return res.json().state;
  };
  const recorded = async () =>
    (await listSessionEvents(t.db.db, sessionId)).map((row) => ({ type: row.type, ...row.data }));
  const settle = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while ((await recorded()).length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  };

  it('tells only what changed, from the history it finds after a restart or on another node', async () => {
    await control({ action: 'start', segment: 1, durationMs: 600_000 });
    await control({ action: 'lock-board' });
    await control({ action: 'extend', durationMs: 60_000 });
    await settle(3);
    expect(await recorded()).toEqual([
      { type: 'created', segment: 0 },
      { type: 'segment', segment: 1, status: 'running' },
      { type: 'board-locked', segment: 1 },
    ]);

    // A second process: a fresh recorder on its own bus, with nothing in memory.
    const bus = new InProcessEventBus((err) => {
      throw err;
    });
    const later = Date.now() + 60_000;
    const restarted = new SessionRecorder(t.db.db, bus, () => later + 1_000);
    const stored = (await t.app.inject({ url: `/api/sessions/${sessionId}`, headers: bearer(moderatorToken) })).json()
      .state as SessionState;
    const next = (action: SessionAction, state: SessionState, now: number) => {
      const result = applySessionAction(state, action, now);
      if (!result.ok) throw new Error(result.reason);
      return result.state;
    };
    const paused = next({ type: 'pause' }, stored, later);
    await bus.publish({ type: 'session-state-changed', sessionId, state: viewSessionState(paused, later) });
    await bus.publish({ type: 'submission-made', sessionId, segment: 1, count: 2 });
    restarted.close();
    // Another node handed the same events afterwards adds nothing.
    const otherBus = new InProcessEventBus((err) => {
      throw err;
    });
    const otherNode = new SessionRecorder(t.db.db, otherBus, () => later + 2_000);
    await otherBus.publish({ type: 'session-state-changed', sessionId, state: viewSessionState(paused, later) });
    await otherBus.publish({ type: 'submission-made', sessionId, segment: 1, count: 2 });
    await otherBus.publish({ type: 'session-created', sessionId, groupId: 'ignored' });
    otherNode.close();
    const rows = await listSessionEvents(t.db.db, sessionId);
    // Not a segment entered again, nor the board locked again: just the pause, at the transition's time.
    expect(rows.slice(3).map((row) => ({ at: row.at.getTime(), type: row.type, ...row.data }))).toEqual([
      { at: later, type: 'paused', segment: 1 },
      { at: later + 1_000, type: 'submission', segment: 1, count: 2 },
    ]);
  });

  it('dates a submission when it is heard, not when the session’s queue gets to it', async () => {
    const bus = new InProcessEventBus((err) => {
      throw err;
    });
    const heard = Date.now() + 120_000;
    let clock = heard;
    const recorder = new SessionRecorder(t.db.db, bus, () => clock);
    const published = bus.publish({ type: 'submission-made', sessionId, segment: 1, count: 3 });
    // The job reads the timeline first; a reveal and an advance dated meanwhile came after it.
    clock = heard + 5_000;
    await published;
    recorder.close();
    const last = (await listSessionEvents(t.db.db, sessionId)).at(-1);
    expect({ at: last?.at.getTime(), type: last?.type, ...last?.data }).toEqual({
      at: heard,
      type: 'submission',
      segment: 1,
      count: 3,
    });
  });
});
