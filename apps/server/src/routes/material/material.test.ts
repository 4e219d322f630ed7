import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

interface Fixture {
  groupId: string;
  moderator: string;
  analyst: string;
  ana: { token: string; participantId: string };
  bo: { token: string; participantId: string };
  otherModerator: string;
}

async function fixture(t: TestApp): Promise<Fixture> {
  const group = await createGroup(t);
  const other = await createGroup(t, { studyId: group.studyId, name: 'H' });
  return {
    groupId: group.id,
    moderator: group.moderatorToken,
    analyst: group.analystToken,
    ana: await join(t, group.inviteCode, 'Ana'),
    bo: await join(t, group.inviteCode, 'Bo'),
    otherModerator: other.moderatorToken,
  };
}

describe.each(databaseKinds)('interactions and labels on %s', (kind) => {
  let t: TestApp;
  let f: Fixture;
  beforeAll(async () => {
    t = await startTestApp(kind);
    f = await fixture(t);
  });
  afterAll(() => t.close());

  const conversation = [
    { role: 'user', content: 'Why did the British leave India?' },
    { role: 'assistant', content: 'Several reasons…' },
  ];

  it('imports interactions, keeps given ids, and replaces on re-import', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/interactions`,
      headers: bearer(f.moderator),
      payload: {
        interactions: [
          { id: `${kind}-thanksgiving`, baseline: true, messages: conversation },
          { participantId: f.ana.participantId, baseline: false, messages: conversation.slice(1) },
        ],
      },
    });
    expect(res.statusCode).toBe(201);
    const { ids } = res.json();
    expect(ids[0]).toBe(`${kind}-thanksgiving`);
    expect(ids).toHaveLength(2);

    const again = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/interactions`,
      headers: bearer(f.moderator),
      payload: { interactions: [{ id: `${kind}-thanksgiving`, baseline: true, messages: conversation.slice(0, 1) }] },
    });
    expect(again.statusCode).toBe(201);
    const list = (
      await t.app.inject({ url: `/api/groups/${f.groupId}/interactions`, headers: bearer(f.ana.token) })
    ).json().interactions;
    expect(list).toHaveLength(2);
    expect(list.find((i: { id: string }) => i.id === `${kind}-thanksgiving`).messages).toHaveLength(1);
  });

  it('refuses an id another group owns (409) and a stranger participant (400)', async () => {
    const taken = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/interactions`,
      headers: bearer(f.moderator),
      payload: { interactions: [{ id: `${kind}-owned`, baseline: false, messages: conversation }] },
    });
    expect(taken.statusCode).toBe(201);
    const otherGroup = (await t.app.inject({ url: '/api/me', headers: bearer(f.otherModerator) })).json().groupId;
    const clash = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${otherGroup}/interactions`,
      headers: bearer(f.otherModerator),
      payload: { interactions: [{ id: `${kind}-owned`, baseline: false, messages: conversation }] },
    });
    expect(clash.statusCode).toBe(409);
    const stranger = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${otherGroup}/interactions`,
      headers: bearer(f.otherModerator),
      payload: { interactions: [{ participantId: f.ana.participantId, baseline: false, messages: conversation }] },
    });
    expect(stranger.statusCode).toBe(400);
    expect(stranger.json().error.code).toBe('INVALID_REFERENCE');
  });

  it('adds labels in order: moderators for anyone in the group, participants for themselves', async () => {
    const interactionId = `${kind}-labelled`;
    await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/interactions`,
      headers: bearer(f.moderator),
      payload: { interactions: [{ id: interactionId, baseline: false, messages: conversation }] },
    });
    const byModerator = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/labels`,
      headers: bearer(f.moderator),
      payload: {
        labels: [
          { text: 'balanced', stage: 'initial', participantId: f.bo.participantId, interactionId, messageIndex: 1 },
          { text: 'BIAS', stage: 'focused' },
        ],
      },
    });
    expect(byModerator.statusCode).toBe(201);
    const mine = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/labels`,
      headers: bearer(f.ana.token),
      payload: { labels: [{ text: 'diplomatic', annotation: 'avoids taking sides', stage: 'initial' }] },
    });
    expect(mine.statusCode).toBe(201);
    const forBo = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/labels`,
      headers: bearer(f.ana.token),
      payload: { labels: [{ text: 'one-sided', stage: 'initial', participantId: f.bo.participantId }] },
    });
    expect(forBo.statusCode).toBe(403);

    const labels = (await t.app.inject({ url: `/api/groups/${f.groupId}/labels`, headers: bearer(f.analyst) })).json()
      .labels;
    expect(labels.map((l: { text: string }) => l.text)).toEqual(['balanced', 'BIAS', 'diplomatic']);
    expect(labels[0]).toMatchObject({ participantId: f.bo.participantId, interactionId, stage: 'initial' });
    expect(labels[2]).toMatchObject({ participantId: f.ana.participantId, annotation: 'avoids taking sides' });
  });

  it('refuses a message index past the interaction (400) and labels from analysts (403)', async () => {
    const interactionId = `${kind}-short`;
    await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/interactions`,
      headers: bearer(f.moderator),
      payload: { interactions: [{ id: interactionId, baseline: false, messages: conversation }] },
    });
    const past = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/labels`,
      headers: bearer(f.moderator),
      payload: { labels: [{ text: 'x', stage: 'initial', interactionId, messageIndex: 5 }] },
    });
    expect(past.statusCode).toBe(400);
    const analyst = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${f.groupId}/labels`,
      headers: bearer(f.analyst),
      payload: { labels: [{ text: 'x', stage: 'initial' }] },
    });
    expect(analyst.statusCode).toBe(403);
  });

  it("keeps groups apart: another group's moderator cannot read or write here", async () => {
    for (const [method, url] of [
      ['GET', `/api/groups/${f.groupId}/labels`],
      ['GET', `/api/groups/${f.groupId}/interactions`],
      ['GET', `/api/groups/${f.groupId}/participants`],
      ['POST', `/api/groups/${f.groupId}/labels`],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: bearer(f.otherModerator),
        ...(method === 'POST' ? { payload: { labels: [{ text: 'x', stage: 'initial' }] } } : {}),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('FORBIDDEN');
    }
  });
});
