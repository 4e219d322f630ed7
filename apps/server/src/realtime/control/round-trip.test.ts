import { initialSessionState } from '@calma/core';
import { createGroup, createSession, createStudy, type Db, saveSessionState } from '@calma/db';
import type { TestDb } from '@calma/db/testing';
import { databaseKinds, freshDb } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DomainEvent, InProcessEventBus } from '../../events/bus.js';
import { SessionService } from '../../sessions/service.js';

/**
 * The database behind a counter of the statements started on it (select, update, …), through
 * the query builder or as plain SQL on the driver.
 */
function counted(db: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const builder = new Proxy(db.db, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (['select', 'update', 'insert', 'delete', 'execute', 'transaction'].includes(String(key)))
          statements.push(String(key));
        return value.apply(target, args);
      };
    },
  });
  return {
    db: {
      ...db,
      db: builder,
      query: (text, params) => {
        statements.push(text.trimStart().split(/\s/)[0]?.toLowerCase() ?? '');
        return db.query(text, params);
      },
    },
    statements,
  };
}

/**
 * A control action after the request was authorised (which read the session) costs one round
 * trip: the conditional UPDATE. What is announced is what it committed; a caller's read that is
 * out of date (another node, another tab moved first) is read again, never written over.
 */
describe.each(databaseKinds)('a control action on %s', (kind) => {
  let test: TestDb;
  let groupId: string;

  beforeAll(async () => {
    test = await freshDb(kind);
    const study = await createStudy(test.db, {
      title: 'Round trip',
      context: { name: 'n', description: '', systemPrompt: '' },
    });
    const group = await createGroup(test.db, {
      studyId: study.id,
      name: 'G',
      inviteCode: `rt-${kind}`,
      moderatorTokenHash: `m-${kind}`,
      analystTokenHash: `a-${kind}`,
    });
    groupId = group.id;
  });
  afterAll(() => test.close());

  const start = { type: 'start', segment: 2, durationMs: 60_000 } as const;

  it('stores and announces with one statement after authorisation', async () => {
    const { db, statements } = counted(test);
    const events: DomainEvent[] = [];
    const bus = new InProcessEventBus(() => undefined);
    bus.subscribe('session-state-changed', (event) => void events.push(event));
    const sessions = new SessionService(db, bus);
    const row = await createSession(test.db, groupId, initialSessionState());
    const known = await sessions.get(row.id);
    statements.length = 0;
    const view = await sessions.control(row.id, start, undefined, known);
    expect(statements).toEqual(['update']);
    expect(view).toMatchObject({ segment: 2, status: 'running' });
    expect(events).toEqual([{ type: 'session-state-changed', sessionId: row.id, state: view }]);
    expect((await sessions.get(row.id)).state).toMatchObject({ segment: 2, status: 'running' });
  });

  it('reads again when the caller’s read is out of date, and applies the action to the stored row', async () => {
    const sessions = new SessionService(test, new InProcessEventBus(() => undefined));
    const row = await createSession(test.db, groupId, initialSessionState());
    const known = await sessions.get(row.id);
    // Another node starts segment 2 after this request read the session.
    const moved = { ...known.state, segment: 2 as const, status: 'running' as const };
    expect(await saveSessionState(test, row.id, moved, known.version)).not.toBeNull();
    // Pausing is illegal on the old read (nothing runs), legal on the stored row.
    const view = await sessions.control(row.id, { type: 'pause' }, undefined, known);
    expect(view).toMatchObject({ segment: 2, status: 'paused' });
    const stored = await sessions.get(row.id);
    expect(stored.version).toBe(known.version + 2);
    // Resuming, illegal on the old read too, resumes what is stored.
    const again = await sessions.control(row.id, { type: 'resume' }, undefined, known);
    expect(again).toMatchObject({ segment: 2, status: 'running' });
  });

  it('authorises and acts on what the node last wrote: the next action is one statement in all', async () => {
    const { db, statements } = counted(test);
    const sessions = new SessionService(db, new InProcessEventBus(() => undefined));
    const row = await createSession(test.db, groupId, initialSessionState());
    await sessions.control(row.id, start, undefined, await sessions.lastKnown(row.id));
    statements.length = 0;
    const paused = await sessions.control(row.id, { type: 'pause' }, undefined, await sessions.lastKnown(row.id));
    expect(statements).toEqual(['update']);
    expect(paused).toMatchObject({ segment: 2, status: 'paused' });
    // Another node (its own service) resumes and pauses: this node's memory is two writes behind.
    const other = new SessionService(test, new InProcessEventBus(() => undefined));
    await other.control(row.id, { type: 'resume' }, undefined, await other.lastKnown(row.id));
    await other.control(row.id, { type: 'pause' }, undefined, await other.lastKnown(row.id));
    // Resuming is legal on the old memory (paused) but its version is gone: read, applied, stored.
    statements.length = 0;
    const resumed = await sessions.control(row.id, { type: 'resume' }, undefined, await sessions.lastKnown(row.id));
    expect(statements).toEqual(['update', 'select', 'update']);
    expect(resumed).toMatchObject({ status: 'running' });
    const stored = await other.get(row.id);
    expect(stored.state).toMatchObject({ status: 'running' });
    expect(stored.version).toBe((await sessions.lastKnown(row.id)).version);
  });
});
