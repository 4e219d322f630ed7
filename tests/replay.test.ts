import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { bearer, startTestApp, type TestApp } from '@calma/server/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCard, type BoardClient, boardClient, until } from './support/board-clients.js';
import { readUntil } from './support/wait.js';

type Cards = Record<string, Record<string, unknown>>;
interface TimelineEvent {
  at: number;
  type: string;
  segment?: number;
  status?: string;
  count?: number;
}

/** Polls an async predicate until it holds; fails after `ms`. */
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Replay: a session driven through segments with a real y-websocket client editing its board;
 * its timeline and its board at several moments, before and after the board is compacted.
 */
describe.each(databaseKinds)('session replay on %s', (kind) => {
  let t: TestApp;
  let sessionId: string;
  let groupId: string;
  let tokens: { moderator: string; analyst: string; ana: string; otherAnalyst: string };
  const clients: BoardClient[] = [];

  const control = async (body: object) => {
    const res = await t.http<{ state: { serverNow: number } }>(
      'POST',
      `/api/sessions/${sessionId}/control`,
      tokens.moderator,
      body,
    );
    expect(res.status).toBe(200);
    return res.body.state;
  };
  const timeline = async () =>
    (await t.http<{ events: TimelineEvent[] }>('GET', `/api/sessions/${sessionId}/timeline`, tokens.analyst)).body
      .events;
  const moments = async () =>
    (await t.http<{ at: number; reason: string }[]>('GET', `/api/sessions/${sessionId}/board/moments`, tokens.analyst))
      .body;
  const boardAt = async (at: number) => {
    const res = await t.http<{ cards: Cards }>('GET', `/api/sessions/${sessionId}/board?at=${at}`, tokens.analyst);
    expect(res.status).toBe(200);
    return res.body.cards;
  };
  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true, boardCompactEvery: 10, boardMomentEveryMs: 300 });
    const study = await t.http<{ id: string }>('POST', '/api/studies', t.adminToken, {
      title: 'S',
      context: { name: 'n', description: '', systemPrompt: '' },
    });
    const group = await t.http<Record<string, string>>('POST', `/api/studies/${study.body.id}/groups`, t.adminToken, {
      name: 'G',
    });
    const other = await t.http<Record<string, string>>('POST', `/api/studies/${study.body.id}/groups`, t.adminToken, {
      name: 'Other',
    });
    const ana = await t.http<{ token: string }>('POST', '/api/join', null, {
      inviteCode: group.body.inviteCode,
      displayName: 'Ana',
      consent: true,
    });
    groupId = group.body.id as string;
    tokens = {
      moderator: group.body.moderatorToken as string,
      analyst: group.body.analystToken as string,
      ana: ana.body.token,
      otherAnalyst: other.body.analystToken as string,
    };
    sessionId = (await t.http<{ id: string }>('POST', `/api/groups/${groupId}/sessions`, tokens.moderator)).body.id;
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await t.close();
  });

  it('records the timeline and draws the board as it stood at each moment, after compaction too', async () => {
    const [session] = await t.db.db.select().from(schema.sessions).where(eq(schema.sessions.id, sessionId));
    const createdAt = session?.createdAt.getTime() ?? 0;
    // The board is kept as the session starts.
    expect((await moments()).map((m) => m.reason)).toEqual(['segment']);

    // Segment 1: a private submission, then the reveal puts it on the board (a server change).
    await control({ action: 'start', segment: 1, durationMs: 600_000 });
    const submitted = await t.http('PUT', `/api/sessions/${sessionId}/segment1`, tokens.ana, {
      attributes: [{ name: 'Balanced', definition: 'Presents several perspectives fairly' }],
    });
    expect(submitted.status).toBe(200);
    await control({ action: 'reveal', segment: 1 });

    // Segment 2: the moderator adds a card.
    await control({ action: 'advance', durationMs: 600_000 });
    const moderator = await boardClient(t.url, sessionId, tokens.moderator);
    const observer = await boardClient(t.url, sessionId, tokens.analyst);
    clients.push(moderator, observer);
    await until(() => [...observer.cards.values()].some((c) => c.get('kind') === 'attribute'), 'the revealed card');
    addCard(moderator, 'a1', { kind: 'note', text: 'first', x: 10, y: 10, authorId: 'moderator' });
    await until(() => observer.cards.has('a1'), 'a1 to be broadcast');
    await control({ action: 'pause' });
    await control({ action: 'resume' });

    // Segment 3: another card, then a move.
    const segment3 = await control({ action: 'advance', durationMs: 600_000 });
    await pause(20);
    addCard(moderator, 'b1', { kind: 'note', text: 'second', x: 50, y: 50, authorId: 'moderator' });
    await until(() => observer.cards.has('b1'), 'b1 to be broadcast');
    const tB = Date.now();
    await pause(20);
    moderator.cards.get('a1')?.set('x', 500);
    await until(() => observer.cards.get('a1')?.get('x') === 500, 'the move to be broadcast');
    const tC = Date.now();

    const atSegment3 = await boardAt(segment3.serverNow);
    expect(atSegment3.a1).toMatchObject({ text: 'first', x: 10 });
    expect(atSegment3.b1).toBeUndefined();
    expect(Object.values(atSegment3).filter((c) => c.kind === 'attribute')).toHaveLength(1);
    expect((await boardAt(tB)).b1).toMatchObject({ text: 'second' });
    expect((await boardAt(tB)).a1).toMatchObject({ x: 10 });
    expect((await boardAt(tC)).a1).toMatchObject({ x: 500 });
    // A cluster the group names comes with the cards, from its moment on.
    moderator.doc.getMap('clusters').set('7', { name: 'Fairness' });
    await until(() => observer.doc.getMap('clusters').has('7'), 'the named cluster to be broadcast');
    const clustersAt = async (at: number) =>
      (await t.http<{ clusters: unknown }>('GET', `/api/sessions/${sessionId}/board?at=${at}`, tokens.analyst)).body
        .clusters;
    expect(await clustersAt(Date.now())).toEqual({ '7': { name: 'Fairness' } });
    expect(await clustersAt(tC)).toEqual({});
    expect(await boardAt(createdAt - 1_000)).toEqual({});

    // Compaction folds the stored updates (every 10 here): moments keep the past drawable.
    const beforeC = Date.now();
    for (let i = 0; i < 15; i++) addCard(moderator, `c${i}`, { kind: 'note', text: `n${i}`, x: i, y: 99 });
    await until(() => observer.cards.has('c14'), 'the last card to be broadcast');
    // A changing board is kept within the interval (300 ms here) of its first change since the last moment.
    const interval = (
      await readUntil(
        moments,
        (list) => list.some((m) => m.reason === 'interval' && m.at > beforeC),
        'an interval moment',
      )
    ).findLast((m) => m.reason === 'interval');
    await readUntil(
      () => t.db.db.select().from(schema.boardSnapshots).where(eq(schema.boardSnapshots.sessionId, sessionId)),
      (rows) => rows.length === 1,
      'a snapshot',
    );
    // The snapshot's row is written a step before the folded updates are deleted.
    await readUntil(
      () => t.db.db.select().from(schema.boardUpdates).where(eq(schema.boardUpdates.sessionId, sessionId)),
      (left) => left.length < 10,
      'the folded updates to be deleted',
    );
    const kept = await moments();
    const segment3Moment = kept.find((m) => m.reason === 'segment' && m.at >= segment3.serverNow);
    expect(segment3Moment).toBeDefined();
    const atMoment = await boardAt(segment3Moment?.at ?? 0);
    expect(atMoment.a1).toMatchObject({ x: 10 });
    expect(atMoment.b1).toBeUndefined();
    // The interval moment holds everything written before the cards that made it.
    const atInterval = await boardAt(interval?.at ?? 0);
    expect(atInterval.a1).toMatchObject({ x: 500 });
    expect(atInterval.b1).toMatchObject({ text: 'second' });
    // Now: exactly the board every client holds.
    expect(await boardAt(Date.now())).toEqual(observer.cards.toJSON());

    // The end keeps a last moment, and the timeline tells the whole session in order.
    await control({ action: 'end' });
    await readUntil(moments, (list) => list.at(-1)?.reason === 'end', 'the end moment');
    const events = await readUntil(timeline, (list) => list.at(-1)?.type === 'ended', 'the end event');
    expect(events.map(({ at: _at, ...event }) => event)).toEqual([
      { type: 'created', segment: 0 },
      { type: 'segment', segment: 1, status: 'running' },
      { type: 'submission', segment: 1, count: 1 },
      { type: 'reveal', segment: 1 },
      { type: 'segment', segment: 2, status: 'running' },
      { type: 'paused', segment: 2 },
      { type: 'resumed', segment: 2 },
      { type: 'segment', segment: 3, status: 'running' },
      { type: 'ended', segment: 3 },
    ]);
    const times = events.map((e) => e.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(events.find((e) => e.type === 'segment' && e.segment === 3)?.at).toBe(segment3.serverNow);
    expect((await moments()).map((m) => m.reason)).toEqual(
      expect.arrayContaining(['segment', 'segment', 'segment', 'segment', 'interval', 'end']),
    );
  });

  it('lets the session’s moderator, analyst and the admin read it; no one else', async () => {
    const get = (path: string, token: string) =>
      t.app.inject({ method: 'GET', url: `/api/sessions/${sessionId}/${path}`, headers: bearer(token) });
    for (const path of ['timeline', `board?at=${Date.now()}`, 'board/moments']) {
      expect((await get(path, tokens.moderator)).statusCode).toBe(200);
      expect((await get(path, tokens.analyst)).statusCode).toBe(200);
      expect((await get(path, t.adminToken)).statusCode).toBe(200);
      expect((await get(path, tokens.ana)).statusCode).toBe(403);
      expect((await get(path, tokens.otherAnalyst)).statusCode).toBe(403);
      const unknown = await t.app.inject({
        method: 'GET',
        url: `/api/sessions/se_unknown/${path}`,
        headers: bearer(tokens.analyst),
      });
      expect(unknown.statusCode).toBe(404);
    }
    for (const bad of ['', 'yesterday', '-5', '1.5', '99999999999999999999']) {
      const res = await get(`board?at=${encodeURIComponent(bad)}`, tokens.analyst);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.code).toBeTruthy();
    }
    expect((await get('board', tokens.analyst)).statusCode).toBe(400);
  });
});
