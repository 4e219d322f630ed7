import { databaseKinds } from '@calma/db/testing/fresh';
import type { ClientToServerEvents, ServerToClientEvents } from '@calma/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  type CreatedGroupFixture,
  created,
  createGroup,
  join,
  startTestApp,
  type TestApp,
} from '../../testing.js';

const deviceKey = (n: number) => `device-key-${String(n).padStart(8, '0')}`;

describe.each(databaseKinds)('identity: devices, invites and the moderator’s corrections on %s', (kind) => {
  let t: TestApp;
  let group: CreatedGroupFixture;
  let other: CreatedGroupFixture;
  beforeAll(async () => {
    t = await startTestApp(kind, { joinRateLimit: 200 });
    group = await createGroup(t);
    other = await createGroup(t, { studyId: group.studyId, name: 'Other' });
  });
  afterAll(() => t.close());

  const joinAs = (displayName: string, key?: string, inviteCode = group.inviteCode) =>
    t.app.inject({
      method: 'POST',
      url: '/api/join',
      payload: { inviteCode, displayName, consent: true, ...(key === undefined ? {} : { deviceKey: key }) },
    });
  const people = async (g = group) =>
    (await t.app.inject({ url: `/api/groups/${g.id}/participants`, headers: bearer(g.moderatorToken) })).json()
      .participants as { id: string; displayName: string }[];

  it('resumes the participant a device joined as (200, a new token) instead of making another', async () => {
    const first = await joinAs('Chen', deviceKey(1));
    expect(first.statusCode).toBe(201);
    const again = await joinAs('Chen', deviceKey(1));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({
      participantId: first.json().participantId,
      groupId: group.id,
      token: expect.any(String),
      resumed: true,
    });
    expect(again.json().token).not.toBe(first.json().token);
    // Both tokens sign in as Chen.
    for (const token of [first.json().token, again.json().token]) {
      const me = await t.app.inject({ url: '/api/me', headers: bearer(token) });
      expect(me.json().participantId).toBe(first.json().participantId);
    }
    // Another device key (after "Not you?") is another person; the same key in another group too.
    expect((await joinAs('Dana', deviceKey(2))).statusCode).toBe(201);
    expect((await joinAs('Chen', deviceKey(1), other.inviteCode)).statusCode).toBe(201);
    expect((await people()).map((p) => p.displayName)).toEqual(['Chen', 'Dana']);
  });

  it('makes one person of joins racing from one device (a double click)', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => joinAs('Eve', deviceKey(3))));
    expect(new Set(results.map((r) => r.json().participantId)).size).toBe(1);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 201]);
    expect((await people()).filter((p) => p.displayName === 'Eve')).toHaveLength(1);
  });

  it.each([
    ['too short', 'short'],
    ['too long', 'x'.repeat(129)],
    ['not url-safe', 'has spaces in it!!!!'],
  ])('refuses a device key %s with 400', async (_, key) => {
    const res = await joinAs('Fay', key);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('says what an invite opens, and 404 for an invalid one, before anyone joins', async () => {
    const res = await t.app.inject({ url: `/api/invites/${group.inviteCode.toLowerCase()}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ groupName: 'Group', studyTitle: 'Study', language: 'en' });
    const bad = await t.app.inject({ url: '/api/invites/NOPE000000' });
    expect(bad.statusCode).toBe(404);
    expect(bad.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Invite code not found' } });
    expect((await t.app.inject({ url: `/api/invites/${'x'.repeat(65)}` })).statusCode).toBe(400);
  });

  it("keeps a study's default language and tells it through the invite and /api/me", async () => {
    const context = { name: 'Hindi pilot', description: '', systemPrompt: '' };
    const study = await created(t, '/api/studies', { title: 'Pilot', context, language: 'hi' }, t.adminToken);
    expect(study.language).toBe('hi');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/studies',
      headers: bearer(t.adminToken),
      payload: { title: 'X', context, language: 'fr' },
    });
    expect(bad.statusCode).toBe(400);
    const hindi = await createGroup(t, { studyId: study.id, name: 'India' });
    expect((await t.app.inject({ url: `/api/invites/${hindi.inviteCode}` })).json().language).toBe('hi');
    const asha = await join(t, hindi.inviteCode, 'आशा');
    for (const token of [asha.token, hindi.moderatorToken])
      expect((await t.app.inject({ url: '/api/me', headers: bearer(token) })).json().language).toBe('hi');
    expect((await t.app.inject({ url: '/api/me', headers: bearer(t.adminToken) })).json().language).toBeNull();
  });

  it('lets only the moderator rename, merge and remove, with the contract’s error shapes', async () => {
    const [target] = await people();
    const id = target?.id as string;
    const base = `/api/groups/${group.id}/participants/${id}`;
    const participant = await join(t, group.inviteCode, 'Gus');
    const cases = [
      { method: 'PATCH', url: base, payload: { displayName: 'C' } },
      { method: 'POST', url: `${base}/merge`, payload: { into: participant.participantId } },
      { method: 'DELETE', url: base },
    ] as const;
    for (const c of cases) {
      const anonymous = await t.app.inject({ ...c });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().error.code).toBe('UNAUTHORIZED');
      for (const token of [participant.token, group.analystToken, other.moderatorToken]) {
        const res = await t.app.inject({ ...c, headers: bearer(token) });
        expect(res.statusCode).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
      const unknownGroup = await t.app.inject({
        ...c,
        url: c.url.replace(group.id, 'gr_nope'),
        headers: bearer(t.adminToken),
      });
      expect(unknownGroup.statusCode).toBe(404);
      const unknown = await t.app.inject({
        ...c,
        url: c.url.replace(id, 'pa_nope'),
        headers: bearer(group.moderatorToken),
      });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Participant not found' } });
    }
    const headers = bearer(group.moderatorToken);
    for (const payload of [{}, { displayName: '' }, { displayName: '   ' }, { displayName: 'x'.repeat(81) }]) {
      const res = await t.app.inject({ method: 'PATCH', url: base, headers, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toMatch(/^(VALIDATION_FAILED|BAD_REQUEST)$/);
    }
    for (const payload of [{}, { into: id }, { into: 'has spaces' }]) {
      const res = await t.app.inject({ method: 'POST', url: `${base}/merge`, headers, payload });
      expect(res.statusCode).toBe(400);
    }
    // Someone of another group cannot be merged into.
    const stranger = await join(t, other.inviteCode, 'Stranger');
    const across = await t.app.inject({
      method: 'POST',
      url: `${base}/merge`,
      headers,
      payload: { into: stranger.participantId },
    });
    expect(across.statusCode).toBe(404);

    const renamed = await t.app.inject({ method: 'PATCH', url: base, headers, payload: { displayName: ' चेन ' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id, displayName: 'चेन' });
    expect((await people()).find((p) => p.id === id)?.displayName).toBe('चेन');
  });
});

describe.each(databaseKinds)('analysis and exports after a merge and a removal on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  it('counts a merged person once, keeps their later submission, and forgets a removed one', async () => {
    const group = await createGroup(t);
    const headers = bearer(group.moderatorToken);
    const [ana, anaAgain, bo, cy] = [
      await join(t, group.inviteCode, 'Ana'),
      await join(t, group.inviteCode, 'Ana'),
      await join(t, group.inviteCode, 'Bo'),
      await join(t, group.inviteCode, 'Cy'),
    ];
    const session = await created<{ id: string }>(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken);
    const control = (payload: object) =>
      t.app.inject({ method: 'POST', url: `/api/sessions/${session.id}/control`, headers, payload });
    const put = (path: string, payload: object, token: string) =>
      t.app.inject({ method: 'PUT', url: `/api/sessions/${session.id}/${path}`, headers: bearer(token), payload });
    const get = async (path: string) =>
      (await t.app.inject({ url: `/api/sessions/${session.id}/${path}`, headers })).json();

    await control({ action: 'start', segment: 1, durationMs: 300_000 });
    const s1 = (name: string) => ({ attributes: [{ name, definition: `${name} defined` }] });
    expect((await put('segment1', s1('Early'), ana.token)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await put('segment1', s1('Later'), anaAgain.token)).statusCode).toBe(200);
    expect((await put('segment1', s1('Bo'), bo.token)).statusCode).toBe(200);
    expect((await put('segment1', s1('Cy'), cy.token)).statusCode).toBe(200);
    await control({ action: 'start', segment: 4, durationMs: 600_000 });
    const finals = {
      attributes: [
        { id: `${kind}-a`, name: 'A', definition: 'a' },
        { id: `${kind}-b`, name: 'B', definition: 'b' },
      ],
      groupTop3: [`${kind}-a`],
      groupTop5: [`${kind}-a`, `${kind}-b`],
    };
    expect((await put('final-attributes', finals, group.moderatorToken)).statusCode).toBe(200);
    await control({ action: 'advance', durationMs: 300_000 });
    const rate = (a: number, token: string) =>
      put('segment5', { likert: { [`${kind}-a`]: a, [`${kind}-b`]: 3 }, ranking: [`${kind}-a`, `${kind}-b`] }, token);
    // The duplicate rated first this time: Ana's own (later) rating must stand.
    expect((await rate(1, anaAgain.token)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const [n, p] of [ana, bo, cy].entries()) expect((await rate(5 - n, p.token)).statusCode).toBe(200);

    expect((await get('analysis')).participants).toBe(4);

    const merge = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${group.id}/participants/${anaAgain.participantId}/merge`,
      headers,
      payload: { into: ana.participantId },
    });
    expect(merge.statusCode).toBe(200);
    expect(merge.json().participants.map((p: { displayName: string }) => p.displayName)).toEqual(['Ana', 'Bo', 'Cy']);
    // The duplicate's sign-in now is Ana's.
    const me = await t.app.inject({ url: '/api/me', headers: bearer(anaAgain.token) });
    expect(me.json()).toMatchObject({ participantId: ana.participantId, displayName: 'Ana' });

    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/groups/${group.id}/participants/${cy.participantId}`,
      headers,
    });
    expect(removed.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/me', headers: bearer(cy.token) })).statusCode).toBe(401);

    const submissions = await get('submissions');
    const s1Of = (id: string) =>
      submissions.segment1
        .find((s: { participantId: string }) => s.participantId === id)
        ?.attributes.map((a: { name: string }) => a.name);
    expect(s1Of(ana.participantId)).toEqual(['Later']);
    expect(submissions.segment1).toHaveLength(2);
    expect(submissions.segment5).toHaveLength(2);
    expect(
      submissions.segment5.find((s: { participantId: string }) => s.participantId === ana.participantId).likert[
        `${kind}-a`
      ],
    ).toBe(5);

    const analysis = await get('analysis');
    expect(analysis.participants).toBe(2);
    expect(analysis.likert[`${kind}-a`].n).toBe(2);
    const ids = new Set([ana.participantId, bo.participantId]);
    for (const p of analysis.participantsShift) expect(ids.has(p.participantId)).toBe(true);
    const exported = await t.app.inject({ url: `/api/sessions/${session.id}/export?format=json`, headers });
    expect(exported.json().participants).toBe(2);
    const csv = await t.app.inject({ url: `/api/sessions/${session.id}/export?format=csv`, headers });
    expect(csv.statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: `/api/groups/${group.id}/participants`, headers })).json().participants,
    ).toHaveLength(2);
  });
});

describe.each(databaseKinds)('participants:changed on socket.io on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
  });
  afterAll(() => t.close());

  it("tells the group's session rooms when someone joins, is renamed or removed", async () => {
    const group = await createGroup(t);
    const session = await created<{ id: string }>(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken);
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(t.url, {
      auth: { token: group.moderatorToken },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    try {
      const seen: string[] = [];
      socket.on('participants:changed', ({ groupId }) => seen.push(groupId));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect_error', reject);
        socket.once('connect', () => socket.emit('session:join', { sessionId: session.id }, () => resolve()));
      });
      const waitFor = async (n: number) => {
        for (let i = 0; i < 100 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20));
        expect(seen).toEqual(Array(n).fill(group.id));
      };
      const ana = await join(t, group.inviteCode, 'Ana');
      await waitFor(1);
      const url = `/api/groups/${group.id}/participants/${ana.participantId}`;
      const headers = bearer(group.moderatorToken);
      await t.app.inject({ method: 'PATCH', url, headers, payload: { displayName: 'Ana M' } });
      await waitFor(2);
      await t.app.inject({ method: 'DELETE', url, headers });
      await waitFor(3);
    } finally {
      socket.close();
    }
  });
});
