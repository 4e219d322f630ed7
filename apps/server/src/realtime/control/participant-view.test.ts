import { databaseKinds } from '@calma/db/testing/fresh';
import type { ClientToServerEvents, JoinAck, ServerToClientEvents } from '@calma/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroup, join, startTestApp, type TestApp } from '../../testing.js';

/**
 * What a participant's page needs from the control channel to survive a reload: the submission
 * counts in the `session:join` ack, their own submissions over REST, and `final-attributes:changed`
 * while the moderator drafts in segment 4 — which carries no content, so nothing private of
 * segments 1 and 5 reaches another participant's socket before the reveal.
 */
type ControlClient = Socket<ServerToClientEvents, ClientToServerEvents>;

function connect(url: string, token: string): Promise<ControlClient> {
  const socket: ControlClient = io(url, { auth: { token }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const joinSession = (socket: ControlClient, sessionId: string) =>
  new Promise<JoinAck>((resolve) => socket.emit('session:join', { sessionId }, resolve));

async function until(predicate: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.each(databaseKinds)("a participant's view of a session on %s", (kind) => {
  let t: TestApp;
  let sessionId: string;
  let otherSessionId: string;
  let moderatorToken: string;
  const people: { token: string; participantId: string }[] = [];
  const sockets: ControlClient[] = [];
  const raw: string[] = [];

  const control = async (body: object) => {
    const res = await t.http('POST', `/api/sessions/${sessionId}/control`, moderatorToken, body);
    expect(res.status).toBe(200);
  };
  const put = (path: string, token: string, body: unknown) =>
    t.http('PUT', `/api/sessions/${sessionId}/${path}`, token, body);
  /** A fresh socket of `token` joined to the session, as a reloaded page makes. */
  const reload = async (token: string) => {
    const socket = await connect(t.url, token);
    sockets.push(socket);
    return { socket, ack: await joinSession(socket, sessionId) };
  };

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    const group = await createGroup(t);
    moderatorToken = group.moderatorToken;
    for (const name of ['Ana', 'Bo', 'Cy']) people.push(await join(t, group.inviteCode, name));
    sessionId = (await t.http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, moderatorToken)).body.id;
    otherSessionId = (await t.http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, moderatorToken)).body.id;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t.close();
  });

  it('gives the current submission counts in the join ack, to everyone, after a reload', async () => {
    const [ana, bo] = people as [(typeof people)[number], (typeof people)[number]];
    expect(await reload(bo.token)).toMatchObject({ ack: { state: { segment: 0 }, submitted: { 1: 0, 5: 0 } } });
    await control({ action: 'start', segment: 1, durationMs: 600_000 });
    const attributes = [
      { name: 'Balanced', definition: 'Presents several perspectives fairly' },
      { name: 'Engaging', definition: 'Sparks curiosity' },
    ];
    expect((await put('segment1', ana.token, { attributes })).status).toBe(200);
    // A resubmission replaces, it does not count twice.
    expect((await put('segment1', ana.token, { attributes })).status).toBe(200);
    for (const token of [bo.token, ana.token, moderatorToken])
      expect((await reload(token)).ack).toMatchObject({ state: { segment: 1 }, submitted: { 1: 1, 5: 0 } });

    // After a reload a participant reads their own submission back (with its time), nobody else's.
    const own = await t.http<{
      segment1: { participantId: string; attributes: { name: string }[]; submittedAt: string }[];
    }>('GET', `/api/sessions/${sessionId}/submissions`, ana.token);
    expect(own.status).toBe(200);
    expect(own.body.segment1).toHaveLength(1);
    expect(own.body.segment1[0]?.participantId).toBe(ana.participantId);
    expect(own.body.segment1[0]?.attributes.map((a) => a.name)).toEqual(['Balanced', 'Engaging']);
    expect(Number.isNaN(Date.parse(own.body.segment1[0]?.submittedAt ?? ''))).toBe(false);
    const theirs = await t.http<{ segment1: unknown[] }>('GET', `/api/sessions/${sessionId}/submissions`, bo.token);
    expect(theirs.body.segment1).toEqual([]);
  });

  it('tells every member of the session, and only it, when the final attributes change', async () => {
    const [, bo, cy] = people as [unknown, (typeof people)[number], (typeof people)[number]];
    const { socket } = await reload(bo.token);
    socket.onAny((event, ...args) => raw.push(`${event} ${JSON.stringify(args)}`));
    const changed: { sessionId: string }[] = [];
    socket.on('final-attributes:changed', (payload) => changed.push(payload));
    // A member of the group in another session's room hears nothing of this one.
    const elsewhere = await connect(t.url, cy.token);
    sockets.push(elsewhere);
    await joinSession(elsewhere, otherSessionId);
    const leaked: string[] = [];
    elsewhere.on('final-attributes:changed', (payload) => leaked.push(payload.sessionId));

    await control({ action: 'advance', durationMs: 600_000 });
    await control({ action: 'advance', durationMs: 600_000 });
    await control({ action: 'advance', durationMs: 600_000 });
    const body = {
      attributes: [
        { id: `${kind}-pv-balance`, name: 'Balance', definition: 'Presents several perspectives' },
        { id: `${kind}-pv-accuracy`, name: 'Accuracy', definition: 'States correct facts' },
      ],
      groupTop3: [`${kind}-pv-balance`],
      groupTop5: [`${kind}-pv-balance`, `${kind}-pv-accuracy`],
    };
    expect((await put('final-attributes', moderatorToken, body)).status).toBe(200);
    await until(() => changed.length === 1, 'final-attributes:changed');
    expect(changed).toEqual([{ sessionId }]);
    body.attributes[1] = { id: `${kind}-pv-accuracy`, name: 'Accuracy', definition: 'Correct facts and dates' };
    expect((await put('final-attributes', moderatorToken, body)).status).toBe(200);
    await until(() => changed.length === 2, 'the second final-attributes:changed');

    // A participant who reloads mid-segment reads the draft as it is now.
    const finals = await t.http<{ attributes: { name: string; definition: string }[]; groupTop3: string[] }>(
      'GET',
      `/api/sessions/${sessionId}/final-attributes`,
      bo.token,
    );
    expect(finals.body.attributes.map((a) => a.definition)).toEqual([
      'Presents several perspectives',
      'Correct facts and dates',
    ]);
    expect(finals.body.groupTop3).toEqual([`${kind}-pv-balance`]);
    expect(leaked).toEqual([]);
  });

  it('counts segment 5 in the ack, and never sends private work over a participant’s socket', async () => {
    const [ana, bo] = people as [(typeof people)[number], (typeof people)[number]];
    await control({ action: 'advance', durationMs: 600_000 });
    const ids = [`${kind}-pv-balance`, `${kind}-pv-accuracy`];
    const likert = { [ids[0] as string]: 4, [ids[1] as string]: 2 };
    expect((await put('segment5', ana.token, { likert, ranking: ids })).status).toBe(200);
    await until(
      () => raw.some((line) => line.startsWith('session:submitted') && line.includes('"segment":5')),
      'count',
    );
    expect((await reload(bo.token)).ack).toMatchObject({ state: { segment: 5 }, submitted: { 1: 1, 5: 1 } });
    const own = await t.http<{ segment5: { likert: Record<string, number>; ranking: string[] }[] }>(
      'GET',
      `/api/sessions/${sessionId}/submissions`,
      ana.token,
    );
    expect(own.body.segment5).toMatchObject([{ likert, ranking: ids }]);

    await control({ action: 'end' });
    expect((await reload(ana.token)).ack).toMatchObject({ state: { status: 'ended' }, submitted: { 1: 1, 5: 1 } });
    // Bo's socket heard states, counts and "changed": none of Ana's words or ratings.
    const seen = raw.join('\n');
    for (const text of ['Balanced', 'Engaging', 'Sparks curiosity', '"likert"', 'ranking'])
      expect(seen).not.toContain(text);
    expect(seen).toContain('final-attributes:changed');
  });
});
