import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

interface Fixture {
  groupId: string;
  studyId: string;
  moderator: string;
  analyst: string;
  asha: { token: string; participantId: string };
  bo: { token: string; participantId: string };
  chatId: string;
}

const chatMessages = [
  { role: 'user' as const, content: "Hi, I'm Asha. Reach me at asha@example.org or +91 98765 43210." },
  {
    role: 'assistant' as const,
    content: 'Hello Asha! Thanksgiving began in 1621.',
    status: 'complete' as const,
    model: 'pilot-replay',
  },
];

describe.each(databaseKinds)('sharing and transcripts on %s', (kind) => {
  let t: TestApp;
  let f: Fixture;
  const list = async (token: string) =>
    (await t.app.inject({ url: `/api/groups/${f.groupId}/interactions`, headers: bearer(token) })).json()
      .interactions as {
      id: string;
      messages: { content: string }[];
      masked: boolean;
      shared: boolean;
      source: string;
      baseline: boolean;
    }[];
  const share = (token: string, shared: boolean, id = f.chatId) =>
    t.app.inject({
      method: 'POST',
      url: `/api/conversations/${id}/share`,
      headers: bearer(token),
      payload: { shared },
    });

  beforeAll(async () => {
    t = await startTestApp(kind);
    const group = await createGroup(t);
    const asha = await join(t, group.inviteCode, 'Asha Rao');
    const bo = await join(t, group.inviteCode, 'Bo');
    const chatId = `${kind}-chat`;
    await t.db.db.insert(schema.interactions).values({
      id: chatId,
      groupId: group.id,
      participantId: asha.participantId,
      baseline: false,
      source: 'chat',
      shared: false,
      modelId: 'demo',
      messages: chatMessages,
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/groups/${group.id}/interactions`,
      headers: bearer(group.moderatorToken),
      payload: {
        interactions: [
          { id: `${kind}-quoted`, baseline: false, messages: [{ role: 'assistant', content: 'Quoted.' }] },
        ],
      },
    });
    f = {
      groupId: group.id,
      studyId: group.studyId,
      moderator: group.moderatorToken,
      analyst: group.analystToken,
      asha,
      bo,
      chatId,
    };
  });
  afterAll(() => t.close());

  it('lists an unshared chat to its author as typed, to staff masked, to others not at all', async () => {
    const own = (await list(f.asha.token)).find((i) => i.id === f.chatId);
    expect(own?.messages[0]?.content).toBe(chatMessages[0]?.content);
    expect(own).toMatchObject({ masked: false, shared: false, source: 'chat' });
    for (const staff of [f.moderator, f.analyst]) {
      const seen = (await list(staff)).find((i) => i.id === f.chatId);
      expect(seen?.masked).toBe(true);
      expect(seen?.messages.map((m) => m.content)).toEqual([
        "Hi, I'm [name]. Reach me at [email] or [phone].",
        'Hello [name]! Thanksgiving began in 1621.',
      ]);
    }
    const others = await list(f.bo.token);
    expect(others.map((i) => i.id)).toEqual([`${kind}-quoted`]);
  });

  it('lets only the author share; others then see it masked; withholding hides it again', async () => {
    expect((await share(f.bo.token, true)).statusCode).toBe(403);
    expect((await share(f.moderator, true)).statusCode).toBe(403);
    const preview = await t.app.inject({
      url: `/api/conversations/${f.chatId}/shared-preview`,
      headers: bearer(f.asha.token),
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ id: f.chatId, shared: false });
    expect(preview.json().masked.map((m: { kind: string }) => m.kind)).toEqual(['name', 'email', 'phone', 'name']);
    expect(
      (await t.app.inject({ url: `/api/conversations/${f.chatId}/shared-preview`, headers: bearer(f.bo.token) }))
        .statusCode,
    ).toBe(403);

    const res = await share(f.asha.token, true);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: f.chatId, shared: true });
    expect(res.json().messages[0].content).toBe("Hi, I'm [name]. Reach me at [email] or [phone].");
    const seen = (await list(f.bo.token)).find((i) => i.id === f.chatId);
    expect(seen).toMatchObject({ masked: true, shared: true });
    expect(JSON.stringify(seen)).not.toMatch(/asha@|98765|Asha/);

    expect((await share(f.asha.token, false)).json().shared).toBe(false);
    expect((await list(f.bo.token)).some((i) => i.id === f.chatId)).toBe(false);
  });

  it("lets a participant label their own chat but not another's unshared one", async () => {
    const label = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/groups/${f.groupId}/labels`,
        headers: bearer(token),
        payload: { labels: [{ text: 'warm', stage: 'initial', interactionId: f.chatId, messageIndex: 1 }] },
      });
    expect((await label(f.asha.token)).statusCode).toBe(201);
    const refused = await label(f.bo.token);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('INVALID_REFERENCE');
  });

  it('refuses sharing an import (409) and an unknown conversation (404)', async () => {
    expect((await share(f.moderator, true, `${kind}-quoted`)).statusCode).toBe(403);
    const imported = await t.app.inject({
      url: `/api/conversations/${kind}-quoted/shared-preview`,
      headers: bearer(f.moderator),
    });
    expect(imported.statusCode).toBe(409);
    expect((await share(f.asha.token, true, 'nope')).statusCode).toBe(404);
  });

  it('exports pseudonymously, without unshared chats, masked once shared', async () => {
    const csv = await t.app.inject({
      url: `/api/groups/${f.groupId}/transcripts?format=csv`,
      headers: bearer(f.analyst),
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body).not.toContain(f.chatId);
    await share(f.asha.token, true);
    const json = await t.app.inject({
      url: `/api/groups/${f.groupId}/transcripts?format=json`,
      headers: bearer(f.analyst),
    });
    const file = JSON.parse(json.body);
    const chat = file.interactions.find((i: { id: string }) => i.id === f.chatId);
    expect(chat.participant).toBe('P1');
    expect(chat.messages[1]).toMatchObject({
      content: 'Hello [name]! Thanksgiving began in 1621.',
      model: 'pilot-replay',
    });
    expect(json.body).not.toMatch(/asha@|Asha/);
    const ocml = await t.app.inject({
      url: `/api/groups/${f.groupId}/transcripts?format=ocml`,
      headers: bearer(f.moderator),
    });
    expect(ocml.body.split('\r\n')[0]).toBe('ID,TEXT');
    expect(ocml.body).toContain('\r\n2,Quoted.\r\n');
    const identified = await t.app.inject({
      url: `/api/groups/${f.groupId}/transcripts?identified=true`,
      headers: bearer(f.moderator),
    });
    expect(JSON.parse(identified.body).interactions.find((i: { id: string }) => i.id === f.chatId).participant).toBe(
      'Asha Rao',
    );
    const analyst = await t.app.inject({
      url: `/api/groups/${f.groupId}/transcripts?identified=true`,
      headers: bearer(f.analyst),
    });
    expect(analyst.statusCode).toBe(403);
    expect(
      (await t.app.inject({ url: `/api/groups/${f.groupId}/transcripts`, headers: bearer(f.bo.token) })).statusCode,
    ).toBe(403);
    await share(f.asha.token, false);
  });

  it('imports CSV all or nothing, naming the bad line; an export imports into another group', async () => {
    const post = (body: string, contentType: string, token = f.moderator, groupId = f.groupId) =>
      t.app.inject({
        method: 'POST',
        url: `/api/groups/${groupId}/transcripts`,
        headers: { ...bearer(token), 'content-type': contentType },
        payload: body,
      });
    const bad = ['interaction_id,role,content', `${kind}-c1,user,Hello`, `${kind}-c1,robot,Hi`, ''].join('\r\n');
    const refused = await post(bad, 'text/csv');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.problems).toEqual([
      { row: 3, field: 'role', message: 'role must be "user" or "assistant"' },
    ]);
    const before = (await list(f.moderator)).length;
    expect(before).toBe(2);
    const ok = await post(bad.replace('robot', 'assistant'), 'text/csv');
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ ids: [`${kind}-c1`], format: 'csv' });
    expect((await post(bad, 'text/csv', f.analyst)).statusCode).toBe(403);

    const other = await createGroup(t, { studyId: f.studyId, name: 'Other' });
    const exported = await t.app.inject({
      url: `/api/groups/${f.groupId}/transcripts?format=json`,
      headers: bearer(f.moderator),
    });
    const into = await post(exported.body, 'application/json', other.moderatorToken, other.id);
    expect(into.statusCode).toBe(201);
    expect(JSON.parse(exported.body).interactions.map((i: { id: string }) => i.id)).toEqual([
      `${kind}-quoted`,
      `${kind}-c1`,
    ]);
    expect(into.json().ids).toHaveLength(2);
    expect(into.json().ids).not.toContain(`${kind}-c1`);
    const ocml = await post(
      'ID,TEXT\r\n0,Pilot\r\n1,"User: hi\n\nAssistant: hello"\r\n',
      'text/csv',
      other.moderatorToken,
      other.id,
    );
    expect(ocml.json().format).toBe('ocml');
  });

  it("keeps an unshared chat out of the group summary's topics and masks a shared one", async () => {
    const topicsOf = async () => {
      const res = await t.app.inject({ url: `/api/groups/${f.groupId}/summary`, headers: bearer(f.bo.token) });
      expect(res.statusCode).toBe(200);
      const topics = res.json().topics as { interactionIds: string[]; name: string; terms: string[] }[];
      return { ids: topics.flatMap((topic) => topic.interactionIds), text: JSON.stringify(topics) };
    };
    expect((await topicsOf()).ids).not.toContain(f.chatId);
    await share(f.asha.token, true);
    const shared = await topicsOf();
    expect(shared.ids).toContain(f.chatId);
    expect(shared.text).not.toMatch(/asha|example\.org|98765/i);
    await share(f.asha.token, false);
    expect((await topicsOf()).ids).not.toContain(f.chatId);
  });

  it('copies the study baseline into every group, including later ones, with stable ids', async () => {
    const body = {
      interactions: [{ id: 'thanksgiving', messages: [{ role: 'assistant', content: 'Thanksgiving is a holiday.' }] }],
    };
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/studies/${f.studyId}/baseline`,
      headers: bearer(t.adminToken),
      payload: body,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual(body);
    expect(
      (
        await t.app.inject({
          method: 'PUT',
          url: `/api/studies/${f.studyId}/baseline`,
          headers: bearer(f.moderator),
          payload: body,
        })
      ).statusCode,
    ).toBe(403);
    const baseline = (await list(f.bo.token)).filter((i) => i.baseline);
    expect(baseline.map((i) => i.id)).toEqual([`bl:${f.groupId}:thanksgiving`]);
    await t.app.inject({
      method: 'PUT',
      url: `/api/studies/${f.studyId}/baseline`,
      headers: bearer(t.adminToken),
      payload: body,
    });
    expect((await list(f.bo.token)).filter((i) => i.baseline)).toHaveLength(1);
    const later = await createGroup(t, { studyId: f.studyId, name: 'Later' });
    const laterList = (
      await t.app.inject({ url: `/api/groups/${later.id}/interactions`, headers: bearer(later.moderatorToken) })
    ).json().interactions;
    expect(laterList).toMatchObject([{ id: `bl:${later.id}:thanksgiving`, baseline: true }]);
    const got = await t.app.inject({ url: `/api/studies/${f.studyId}/baseline`, headers: bearer(t.adminToken) });
    expect(got.json()).toEqual(body);
  });
});
