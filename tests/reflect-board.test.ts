import { databaseKinds } from '@calma/db/testing/fresh';
import { BoardKey } from '@calma/protocol/board';
import { created, createGroup, join, startTestApp, type TestApp } from '@calma/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BoardClient, boardClient, roundTrip, until } from './support/board-clients.js';

/**
 * Into Discuss: a new session's board takes the group's codes (label cards) and its shared
 * focused-coding attributes as they stand when the session is created. Later codes join as labels
 * always did; later attribute changes do not reach a board already started.
 */
interface Person {
  token: string;
  participantId: string;
}

const attributeCards = (client: BoardClient) =>
  [...client.cards.values()]
    .filter((card) => card.get('kind') === 'attribute' && card.get('reflectAttributeId'))
    .map((card) => ({
      name: card.get('text'),
      definition: card.get('definition'),
      codes: card.get('codes'),
      authorId: card.get('authorId'),
    }));
const labelTexts = (client: BoardClient) =>
  [...client.cards.values()].filter((card) => card.get('kind') === 'label').map((card) => card.get('text'));

describe.each(databaseKinds)('codes and attributes into Discuss on %s', (kind) => {
  let t: TestApp;
  let groupId: string;
  let moderator: string;
  let ana: Person;
  let bo: Person;
  let shared: string;
  let sharedVersion: number;
  const clients: BoardClient[] = [];
  const interactionId = `${kind}-into-discuss`;

  const connect = async (sessionId: string, token: string) => {
    const client = await boardClient(t.url, sessionId, token);
    clients.push(client);
    return client;
  };
  const newSession = async () =>
    (await created<{ id: string }>(t, `/api/groups/${groupId}/sessions`, {}, moderator)).id;
  const code = (text: string) => ({ text, stage: 'initial', interactionId, messageIndex: 1 });

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    const group = await createGroup(t);
    groupId = group.id;
    moderator = group.moderatorToken;
    ana = await join(t, group.inviteCode, 'Ana');
    bo = await join(t, group.inviteCode, 'Bo');
    const messages = [
      { role: 'user' as const, content: 'How was the harvest celebrated?' },
      { role: 'assistant' as const, content: 'With a feast, warmly.' },
    ];
    await created(
      t,
      `/api/groups/${groupId}/interactions`,
      { interactions: [{ id: interactionId, baseline: true, messages }] },
      moderator,
    );
    const [warm, cold, caring] = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${groupId}/labels`,
        { labels: [code('warm'), code('cold'), code('caring')] },
        ana.token,
      )
    ).ids as [string, string, string];
    shared = (
      await created<{ id: string }>(
        t,
        `/api/groups/${groupId}/attributes`,
        {
          name: 'Warmth',
          definition: 'Answers with care for the person',
          codes: [
            { labelId: warm, sign: 1 },
            { labelId: caring, sign: 1 },
            { labelId: cold, sign: -1 },
          ],
        },
        ana.token,
      )
    ).id;
    const share = await t.http<{ version: number }>('POST', `/api/attributes/${shared}/share`, ana.token, {
      shared: true,
    });
    expect(share.status).toBe(200);
    sharedVersion = share.body.version;
    // Bo's attribute stays private: it must not go on the board.
    const [dry] = (
      await created<{ ids: string[] }>(t, `/api/groups/${groupId}/labels`, { labels: [code('dry')] }, bo.token)
    ).ids as [string];
    await created(
      t,
      `/api/groups/${groupId}/attributes`,
      { name: 'Private thought', definition: 'Not shared', codes: [{ labelId: dry, sign: 1 }] },
      bo.token,
    );
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await t?.close();
  });

  it('places the shared attributes, with signed codes, and every code on a new board', async () => {
    const sessionId = await newSession();
    const client = await connect(sessionId, bo.token);
    // Stored before it is sent: a client that connects first gets it a moment later.
    await until(() => attributeCards(client).length > 0, 'the attribute card');
    expect(attributeCards(client)).toEqual([
      {
        name: 'Warmth',
        definition: 'Answers with care for the person',
        codes: [
          { text: 'warm', sign: 1 },
          { text: 'caring', sign: 1 },
          { text: 'cold', sign: -1 },
        ],
        authorId: ana.participantId,
      },
    ]);
    expect(labelTexts(client).sort()).toEqual(['caring', 'cold', 'dry', 'warm']);
    expect(client.doc.getMap(BoardKey.taken).get('reflectTakenAt')).toEqual(expect.any(Number));
  });

  it('keeps the attributes as they stood when the session started; later codes still arrive', async () => {
    const sessionId = await newSession();
    // Changed after the session started: the board keeps the old wording.
    const patched = await t.http('PATCH', `/api/attributes/${shared}`, ana.token, {
      version: sharedVersion,
      name: 'Warmth and care',
      definition: 'Changed later',
    });
    expect(patched.status).toBe(200);
    const client = await connect(sessionId, moderator);
    await until(() => attributeCards(client).length > 0, 'the attribute card');
    expect(attributeCards(client).map((a) => a.name)).toEqual(['Warmth']);
    await created(t, `/api/groups/${groupId}/labels`, { labels: [code('gentle')] }, bo.token);
    await until(() => labelTexts(client).includes('gentle'), 'the new code on the board');
    expect(attributeCards(client).map((a) => a.name)).toEqual(['Warmth']);
    // A session created now takes the attribute as it stands now.
    const later = await connect(await newSession(), moderator);
    await until(() => attributeCards(later).length > 0, 'the attribute card');
    expect(attributeCards(later).map((a) => a.name)).toEqual(['Warmth and care']);
  });

  it('does not bring back an attribute card someone removed', async () => {
    const sessionId = await newSession();
    const client = await connect(sessionId, moderator);
    await until(() => attributeCards(client).length > 0, 'the attribute card');
    const id = [...client.cards.keys()].find((key) => key.startsWith('reflect-'));
    expect(id).toBeDefined();
    client.cards.delete(id as string);
    await roundTrip(client);
    client.destroy();
    const again = await connect(sessionId, moderator);
    expect(again.cards.has(id as string)).toBe(false);
    expect(attributeCards(again)).toEqual([]);
  });
});
