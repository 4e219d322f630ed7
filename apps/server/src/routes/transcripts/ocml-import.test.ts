import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

describe.each(databaseKinds)("OCML's coded export imports as interactions with codes on %s", (kind) => {
  let t: TestApp;
  let group: Awaited<ReturnType<typeof createGroup>>;
  let bo: { participantId: string; token: string };

  beforeAll(async () => {
    t = await startTestApp(kind);
    group = await createGroup(t);
    await join(t, group.inviteCode, 'Asha');
    bo = await join(t, group.inviteCode, 'Bo Lin');
  });
  afterAll(() => t.close());

  const post = (body: string, token = group.moderatorToken) =>
    t.app.inject({
      method: 'POST',
      url: `/api/groups/${group.id}/transcripts`,
      headers: { ...bearer(token), 'content-type': 'text/csv' },
      payload: body,
    });
  const labels = async () =>
    (await t.app.inject({ url: `/api/groups/${group.id}/labels`, headers: bearer(group.moderatorToken) })).json()
      .labels as {
      text: string;
      participantId: string | null;
      interactionId: string;
      messageIndex: number;
      annotation: string | null;
    }[];

  it("stores OCML's LABEL codes on each answer as the moderator's, once each, empty pieces ignored", async () => {
    const res = await post(
      'ID,TEXT,LABEL\r\n0,I went to the park,joy; outdoors;;joy\r\n1,"User: hi\n\nAssistant: Hello",\r\n',
    );
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().format).toBe('ocml');
    const [park] = res.json().ids as string[];
    const mine = (await labels()).filter((l) => l.interactionId === park);
    expect(mine.map((l) => [l.text, l.participantId, l.messageIndex])).toEqual([
      ['joy', null, 0],
      ['outdoors', null, 0],
    ]);
  });

  it('attributes codes to the coder column (pseudonym, display name or id) with the note', async () => {
    const res = await post(
      `id,text,codes,coder,annotation\n1,Warm answer,warm,P2,because\n2,Cold answer,cold,bo lin,\n3,Plain answer,plain,${bo.participantId},\n`,
    );
    expect(res.statusCode, res.body).toBe(201);
    const ids = res.json().ids as string[];
    const found = (await labels()).filter((l) => ids.includes(l.interactionId));
    expect(found.map((l) => [l.text, l.participantId, l.annotation])).toEqual([
      ['warm', bo.participantId, 'because'],
      ['cold', bo.participantId, null],
      ['plain', bo.participantId, null],
    ]);
  });

  it("makes imported codes available to the coding page's suggestions at once (labels-added)", async () => {
    const suggest = async (q: string) =>
      (await t.app.inject({ url: `/api/groups/${group.id}/codes/suggest?q=${q}`, headers: bearer(bo.token) }))
        .json()
        .suggestions.map((s: { text: string }) => s.text) as string[];
    // Asked once first, so the group's code index is loaded before the import: only the event
    // can bring the new codes into it.
    expect(await suggest('serendip')).toEqual([]);
    const res = await post('ID,TEXT,CODES\n1,A lucky find,serendipitous; surprising\n');
    expect(res.statusCode, res.body).toBe(201);
    await expect.poll(() => suggest('serendip'), { timeout: 3000 }).toEqual(['serendipitous']);
  });

  it('stores nothing when one row is bad, and says which line in the contract error shape', async () => {
    const before = (await labels()).length;
    const count = async () =>
      (
        await t.app.inject({ url: `/api/groups/${group.id}/interactions`, headers: bearer(group.moderatorToken) })
      ).json().interactions.length as number;
    const interactions = await count();
    const unknownCoder = await post('ID,TEXT,CODES,CODER\n1,fine,ok,P1\n2,who,ok,Zed\n');
    expect(unknownCoder.statusCode).toBe(400);
    expect(unknownCoder.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      format: 'ocml',
      problems: [{ row: 3, field: 'CODER' }],
    });
    const longCode = await post(`ID,TEXT,CODES\n1,fine,ok\n2,bad,${'x'.repeat(501)}\n`);
    expect(longCode.statusCode).toBe(400);
    expect(longCode.json().error.problems).toEqual([
      { row: 3, field: 'CODES', message: 'a code is longer than 500 characters' },
    ]);
    expect((await labels()).length).toBe(before);
    expect(await count()).toBe(interactions);
  });
});
