import { databaseKinds } from '@calma/db/testing/fresh';
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

interface Fixture {
  group: CreatedGroupFixture;
  ana: { participantId: string; token: string };
  bo: { participantId: string; token: string };
  outsider: CreatedGroupFixture;
}

describe.each(databaseKinds)('Discuss sessions over HTTP on %s', (kind) => {
  let t: TestApp;
  let f: Fixture;
  beforeAll(async () => {
    t = await startTestApp(kind);
    const group = await createGroup(t);
    f = {
      group,
      ana: await join(t, group.inviteCode, 'Ana'),
      bo: await join(t, group.inviteCode, 'Bo'),
      outsider: await createGroup(t, { studyId: group.studyId, name: 'Other' }),
    };
  });
  afterAll(() => t.close());

  const newSession = () => created<{ id: string }>(t, `/api/groups/${f.group.id}/sessions`, {}, f.group.moderatorToken);
  const control = (id: string, body: object, token = f.group.moderatorToken) =>
    t.app.inject({ method: 'POST', url: `/api/sessions/${id}/control`, headers: bearer(token), payload: body });
  const put = (id: string, path: string, payload: object, token: string) =>
    t.app.inject({ method: 'PUT', url: `/api/sessions/${id}/${path}`, headers: bearer(token), payload });
  const get = (url: string, token: string) => t.app.inject({ url, headers: bearer(token) });

  it('creates a pending session in segment 0 that every member can read', async () => {
    const session = await newSession();
    for (const token of [f.group.moderatorToken, f.group.analystToken, f.ana.token]) {
      const res = await get(`/api/sessions/${session.id}`, token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        id: session.id,
        groupId: f.group.id,
        state: { segment: 0, status: 'pending', revealed: [] },
      });
    }
    expect((await get(`/api/sessions/${session.id}`, f.outsider.moderatorToken)).statusCode).toBe(403);
    expect((await get('/api/sessions/se_missing', f.group.moderatorToken)).statusCode).toBe(404);
    const list = await get(`/api/groups/${f.group.id}/sessions`, f.bo.token);
    expect(list.json().sessions.map((s: { id: string }) => s.id)).toContain(session.id);
  });

  it('lets only the moderator steer, and refuses illegal transitions with 409', async () => {
    const session = await newSession();
    expect(
      (await control(session.id, { action: 'start', segment: 0, durationMs: 60_000 }, f.ana.token)).statusCode,
    ).toBe(403);
    expect(
      (await control(session.id, { action: 'start', segment: 0, durationMs: 60_000 }, f.group.analystToken)).statusCode,
    ).toBe(403);
    const pause = await control(session.id, { action: 'pause' });
    expect(pause.statusCode).toBe(409);
    expect(pause.json().error.code).toBe('WRONG_STATE');
    expect((await control(session.id, { action: 'start', segment: 0 })).statusCode).toBe(400);
    expect((await control(session.id, { action: 'teleport' })).statusCode).toBe(400);
    expect((await control(session.id, { action: 'start', segment: 9, durationMs: 1_000 })).statusCode).toBe(400);

    const started = await control(session.id, { action: 'start', segment: 0, durationMs: 60_000 });
    expect(started.statusCode).toBe(200);
    const { state } = started.json();
    expect(state).toMatchObject({ segment: 0, status: 'running', durationMs: 60_000 });
    expect(state.endsAt - state.serverNow).toBe(state.remainingMs);
    expect(state.remainingMs).toBeLessThanOrEqual(60_000);
    expect((await control(session.id, { action: 'start', segment: 0, durationMs: 60_000 })).statusCode).toBe(409);
    expect((await control(session.id, { action: 'end' })).statusCode).toBe(200);
    expect((await control(session.id, { action: 'advance' })).statusCode).toBe(409);
  });

  it('checks speakers against the group', async () => {
    const session = await newSession();
    const bad = await control(session.id, { action: 'set-speakers', participantIds: ['pa_stranger'], turnMs: 60_000 });
    expect(bad.statusCode).toBe(400);
    const ok = await control(session.id, {
      action: 'set-speakers',
      participantIds: [f.bo.participantId, f.ana.participantId],
    });
    expect(ok.json().state.speakers).toMatchObject({
      order: [f.bo.participantId, f.ana.participantId],
      nextSpeakerId: f.bo.participantId,
    });
  });

  it('accepts segment-1 attributes only from participants while segment 1 runs', async () => {
    const session = await newSession();
    const attributes = [{ name: 'Balanced', definition: 'Presents several perspectives' }];
    const early = await put(session.id, 'segment1', { attributes }, f.ana.token);
    expect(early.statusCode).toBe(409);
    await control(session.id, { action: 'start', segment: 1, durationMs: 300_000 });
    expect((await put(session.id, 'segment1', { attributes }, f.group.moderatorToken)).statusCode).toBe(403);
    expect((await put(session.id, 'segment1', { attributes: [] }, f.ana.token)).statusCode).toBe(400);
    const four = Array.from({ length: 4 }, (_, i) => ({ name: `A${i}`, definition: 'd' }));
    expect((await put(session.id, 'segment1', { attributes: four }, f.ana.token)).statusCode).toBe(400);
    const first = await put(session.id, 'segment1', { attributes }, f.ana.token);
    expect(first.statusCode).toBe(200);
    const again = await put(
      session.id,
      'segment1',
      {
        attributes: [
          { name: 'Neutral', definition: 'No side taken' },
          { name: 'Balanced', definition: 'Presents several perspectives' },
        ],
      },
      f.ana.token,
    );
    expect(again.json().attributes).toMatchObject([
      { name: 'Neutral', rank: 1, participantId: f.ana.participantId },
      { name: 'Balanced', rank: 2 },
    ]);
    const mine = await get(`/api/sessions/${session.id}/submissions`, f.ana.token);
    expect(mine.json().segment1).toHaveLength(1);
    expect(mine.json().segment1[0].attributes).toHaveLength(2);
  });

  it("keeps a participant's submissions private on every path until the reveal", async () => {
    const session = await newSession();
    await control(session.id, { action: 'start', segment: 1, durationMs: 300_000 });
    await put(session.id, 'segment1', { attributes: [{ name: 'Secret', definition: 'Only mine' }] }, f.ana.token);
    const base = `/api/sessions/${session.id}`;

    const asBo = await get(`${base}/submissions`, f.bo.token);
    expect(asBo.statusCode).toBe(200);
    expect(JSON.stringify(asBo.json())).not.toContain('Secret');
    for (const url of [
      `${base}/submissions?participantId=${f.ana.participantId}`,
      `${base}/submissions/${f.ana.participantId}`,
      `${base}/segment1-mapping`,
    ]) {
      const res = await get(url, f.bo.token);
      expect(res.statusCode, url).toBe(403);
      expect(res.body).not.toContain('Secret');
    }
    const outsider = await get(`${base}/submissions`, f.outsider.moderatorToken);
    expect(outsider.statusCode).toBe(403);
    // Staff see it all along.
    expect((await get(`${base}/submissions`, f.group.analystToken)).body).toContain('Secret');

    await control(session.id, { action: 'reveal', segment: 1 });
    const revealed = await get(`${base}/submissions/${f.ana.participantId}`, f.bo.token);
    expect(revealed.statusCode).toBe(200);
    expect(revealed.json().segment1[0].attributes[0].name).toBe('Secret');
    expect(revealed.json().segment5).toEqual([]);
  });

  it('runs segments 4 and 5: final attributes, mapping with suggestions, ratings', async () => {
    const session = await newSession();
    await control(session.id, { action: 'start', segment: 1, durationMs: 300_000 });
    const s1 = (
      await put(
        session.id,
        'segment1',
        {
          attributes: [
            { name: 'Western bias', definition: 'Answers favour Western views' },
            { name: 'Dry', definition: 'Flat, unengaging tone' },
          ],
        },
        f.ana.token,
      )
    ).json().attributes;
    const finalsBody = {
      attributes: [
        { id: `${kind}-bias`, name: 'Bias', definition: 'Favouring Western or colonial views over others' },
        { id: `${kind}-engaging`, name: 'Engagement', definition: 'Sparks curiosity with an engaging tone' },
        { name: 'Accuracy', definition: 'States facts correctly' },
      ],
      groupTop3: [`${kind}-bias`, `${kind}-engaging`],
      groupTop5: [`${kind}-bias`, `${kind}-engaging`],
    };
    expect((await put(session.id, 'final-attributes', finalsBody, f.group.moderatorToken)).statusCode).toBe(409);
    await control(session.id, { action: 'start', segment: 4, durationMs: 600_000 });
    expect(
      (await put(session.id, 'final-attributes', { ...finalsBody, groupTop3: ['nope'] }, f.group.moderatorToken))
        .statusCode,
    ).toBe(400);
    const finals = await put(session.id, 'final-attributes', finalsBody, f.group.moderatorToken);
    expect(finals.statusCode).toBe(200);
    const finalIds: string[] = finals.json().attributes.map((a: { id: string }) => a.id);
    expect(finalIds.slice(0, 2)).toEqual([`${kind}-bias`, `${kind}-engaging`]);

    const mapping = await get(`/api/sessions/${session.id}/segment1-mapping`, f.group.moderatorToken);
    expect(mapping.statusCode).toBe(200);
    expect(mapping.json().suggested[s1[0].id].finalAttributeId).toBe(`${kind}-bias`);
    expect(mapping.json().suggested[s1[1].id].finalAttributeId).toBe(`${kind}-engaging`);
    const confirm = await put(
      session.id,
      'segment1-mapping',
      { mapping: { [s1[0].id]: `${kind}-bias`, [s1[1].id]: null } },
      f.group.moderatorToken,
    );
    expect(confirm.statusCode).toBe(200);
    expect(
      (await put(session.id, 'segment1-mapping', { mapping: { nope: null } }, f.group.moderatorToken)).statusCode,
    ).toBe(400);

    await control(session.id, { action: 'advance', durationMs: 300_000 });
    const likert = Object.fromEntries(finalIds.map((id, i) => [id, 5 - i]));
    const missing = await put(session.id, 'segment5', { likert: { [`${kind}-bias`]: 5 }, ranking: [] }, f.ana.token);
    expect(missing.statusCode).toBe(400);
    expect(
      (await put(session.id, 'segment5', { likert: { ...likert, x: 3 }, ranking: [] }, f.ana.token)).statusCode,
    ).toBe(400);
    expect(
      (await put(session.id, 'segment5', { likert: { ...likert, [`${kind}-bias`]: 6 }, ranking: [] }, f.ana.token))
        .statusCode,
    ).toBe(400);
    const dup = await put(session.id, 'segment5', { likert, ranking: [`${kind}-bias`, `${kind}-bias`] }, f.ana.token);
    expect(dup.statusCode).toBe(400);
    const ok = await put(
      session.id,
      'segment5',
      { likert, ranking: [`${kind}-engaging`, `${kind}-bias`] },
      f.ana.token,
    );
    expect(ok.statusCode).toBe(200);
    const all = (await get(`/api/sessions/${session.id}/submissions`, f.group.moderatorToken)).json();
    expect(all.segment5).toEqual([expect.objectContaining({ participantId: f.ana.participantId, likert })]);
    expect(all.mapping).toEqual({ [s1[0].id]: `${kind}-bias`, [s1[1].id]: null });
    expect((await get(`/api/sessions/${session.id}/submissions`, f.bo.token)).json().segment5).toEqual([]);
  });
});
