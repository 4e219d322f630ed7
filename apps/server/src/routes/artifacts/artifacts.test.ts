import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, created, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

type Person = { token: string; participantId: string };
const chatMessages = [
  { role: 'user' as const, content: "Hi, I'm Asha. Why do we eat turkey?" },
  { role: 'assistant' as const, content: 'Hello Asha! Thanksgiving began in 1621.' },
];

describe.each(databaseKinds)("a participant's session artifacts on %s", (kind) => {
  let t: TestApp;
  let group: Awaited<ReturnType<typeof createGroup>>;
  let asha: Person;
  let bo: Person;
  const chatId = `${kind}-asha-chat`;
  const quotedId = `${kind}-quoted`;
  let privateAttribute: string;
  let sharedAttribute: string;

  const artifacts = async (token: string, participantId = asha.participantId) => {
    const res = await t.app.inject({
      url: `/api/groups/${group.id}/participants/${participantId}/artifacts`,
      headers: bearer(token),
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    t = await startTestApp(kind);
    group = await createGroup(t);
    asha = await join(t, group.inviteCode, 'Asha Rao');
    bo = await join(t, group.inviteCode, 'Bo');
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
    await created(
      t,
      `/api/groups/${group.id}/interactions`,
      { interactions: [{ id: quotedId, baseline: false, messages: [{ role: 'assistant', content: 'Quoted.' }] }] },
      group.moderatorToken,
    );
    const { ids } = await created<{ ids: string[] }>(
      t,
      `/api/groups/${group.id}/labels`,
      {
        labels: [
          // "Thanksgiving" in the stored text: 'Hello Asha! ' is 12 code units.
          {
            text: 'dates',
            stage: 'initial',
            interactionId: chatId,
            messageIndex: 1,
            span: { start: 12, end: 24 },
            annotation: 'names the feast',
          },
          { text: 'terse', stage: 'initial', interactionId: quotedId, messageIndex: 0 },
        ],
      },
      asha.token,
    );
    await created(t, `/api/groups/${group.id}/labels`, { labels: [{ text: 'bo-code', stage: 'initial' }] }, bo.token);
    privateAttribute = (
      await created(
        t,
        `/api/groups/${group.id}/attributes`,
        { name: 'Private', definition: 'mine', codes: [{ labelId: ids[0], sign: 1 }] },
        asha.token,
      )
    ).id as string;
    sharedAttribute = (
      await created(
        t,
        `/api/groups/${group.id}/attributes`,
        { name: 'Brevity', definition: 'short answers', codes: [{ labelId: ids[1], sign: -1 }] },
        asha.token,
      )
    ).id as string;
    const share = await t.app.inject({
      method: 'POST',
      url: `/api/attributes/${sharedAttribute}/share`,
      headers: bearer(asha.token),
      payload: { shared: true },
    });
    expect(share.statusCode, share.body).toBe(200);
  });
  afterAll(() => t.close());

  it('shows the participant all of their own: chat as typed, coded material, codes with spans and notes, every attribute', async () => {
    const { status, body } = await artifacts(asha.token);
    expect(status).toBe(200);
    expect(body.participant).toEqual({ id: asha.participantId, name: 'Asha Rao' });
    expect(
      body.conversations.map((c: { id: string; own: boolean; masked: boolean }) => [c.id, c.own, c.masked]),
    ).toEqual([
      [chatId, true, false],
      [quotedId, false, false],
    ]);
    const dates = body.codes.find((c: { text: string }) => c.text === 'dates');
    expect(dates).toMatchObject({ note: 'names the feast', span: { start: 12, end: 24 }, messageIndex: 1 });
    expect(chatMessages[1]?.content.slice(12, 24)).toBe('Thanksgiving');
    expect(body.codes.map((c: { text: string }) => c.text)).toEqual(['dates', 'terse']);
    expect(body.attributes.map((a: { id: string }) => a.id).sort()).toEqual([privateAttribute, sharedAttribute].sort());
  });

  it('shows another participant only what is shared: no unshared chat, only shared attributes', async () => {
    const { status, body } = await artifacts(bo.token);
    expect(status).toBe(200);
    expect(body.conversations.map((c: { id: string }) => c.id)).toEqual([quotedId]);
    expect(body.attributes.map((a: { id: string }) => a.id)).toEqual([sharedAttribute]);
    // Codes are the group's labels, which every member lists anyway.
    expect(body.codes).toHaveLength(2);
  });

  it('once the chat is shared, others see it masked, the span following its words', async () => {
    const share = await t.app.inject({
      method: 'POST',
      url: `/api/conversations/${chatId}/share`,
      headers: bearer(asha.token),
      payload: { shared: true },
    });
    expect(share.statusCode, share.body).toBe(200);
    const { body } = await artifacts(bo.token);
    const chat = body.conversations.find((c: { id: string }) => c.id === chatId);
    expect(chat.masked).toBe(true);
    const text: string = chat.messages[1].content;
    expect(text).not.toContain('Asha');
    const span = body.codes.find((c: { text: string }) => c.text === 'dates').span;
    expect(text.slice(span.start, span.end)).toBe('Thanksgiving');
    await t.app.inject({
      method: 'POST',
      url: `/api/conversations/${chatId}/share`,
      headers: bearer(asha.token),
      payload: { shared: false },
    });
  });

  it('shows staff what staff see elsewhere: chats masked, every attribute', async () => {
    for (const token of [group.moderatorToken, group.analystToken]) {
      const { status, body } = await artifacts(token);
      expect(status).toBe(200);
      expect(body.conversations.find((c: { id: string }) => c.id === chatId)?.masked).toBe(true);
      expect(body.attributes).toHaveLength(2);
    }
  });

  it('answers 404 for someone not in the group, and lists a participant with nothing as empty', async () => {
    expect((await artifacts(asha.token, 'pt_nobody')).status).toBe(404);
    const { body } = await artifacts(asha.token, bo.participantId);
    expect(body).toMatchObject({ conversations: [], attributes: [] });
    expect(body.codes.map((c: { text: string }) => c.text)).toEqual(['bo-code']);
  });
});
