import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, created, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

type Turn = {
  interactionId: string;
  messageIndex: number;
  kind: string;
  prompt: string | null;
  response: string;
  masked: boolean;
  codes: { id: string; text: string; note: string | null; span: { start: number; end: number } | null }[];
};

/** Initial coding: the turns a person codes, suggestions, and removing or re-noting a code. */
describe.each(databaseKinds)('initial coding on %s', (kind) => {
  let t: TestApp;
  let groupId: string;
  let moderator: string;
  let ana: { token: string; participantId: string };
  let bo: { token: string; participantId: string };
  let stranger: string;

  beforeAll(async () => {
    t = await startTestApp(kind);
    const group = await createGroup(t);
    groupId = group.id;
    moderator = group.moderatorToken;
    ana = await join(t, group.inviteCode, 'Ana');
    bo = await join(t, group.inviteCode, 'Bo');
    const other = await createGroup(t, { studyId: group.studyId, name: 'Other' });
    stranger = (await join(t, other.inviteCode, 'Cy')).token;
    const chat = (id: string, participantId: string, shared: boolean, content: string) => ({
      id: `${kind}-${id}`,
      groupId,
      participantId,
      baseline: false,
      source: 'chat' as const,
      shared,
      messages: [
        { role: 'user' as const, content },
        { role: 'assistant' as const, content: `Answer to ${content}` },
      ],
    });
    // Inserted oldest first: the shared import, Bo's chats, the baseline, then Ana's own.
    await created(
      t,
      `/api/groups/${groupId}/interactions`,
      {
        interactions: [
          {
            id: `${kind}-import`,
            baseline: false,
            messages: [
              { role: 'assistant', content: 'Welcome.' },
              { role: 'user', content: 'Hi' },
              { role: 'assistant', content: 'Hello there.' },
            ],
          },
        ],
      },
      moderator,
    );
    await t.db.db.insert(schema.interactions).values(chat('bo-shared', bo.participantId, true, 'I am Bo, tell me'));
    await t.db.db.insert(schema.interactions).values(chat('bo-private', bo.participantId, false, 'secret'));
    await created(
      t,
      `/api/groups/${groupId}/interactions`,
      {
        interactions: [
          {
            id: `${kind}-baseline`,
            baseline: true,
            messages: [
              { role: 'user', content: 'Tell me about Thanksgiving' },
              { role: 'assistant', content: 'Thanksgiving is a harvest festival 🍂 with a complex history.' },
            ],
          },
        ],
      },
      moderator,
    );
    await t.db.db.insert(schema.interactions).values(chat('ana', ana.participantId, false, 'my question'));
  });
  afterAll(() => t.close());

  const coding = async (token: string) => {
    const res = await t.app.inject({ url: `/api/groups/${groupId}/coding`, headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    return res.json() as { turns: Turn[]; progress: { coded: number; total: number } };
  };
  const addLabels = (token: string, labels: object[]) =>
    created<{ ids: string[] }>(t, `/api/groups/${groupId}/labels`, { labels }, token);
  const suggest = async (token: string, q: string, limit?: number) => {
    const query = new URLSearchParams({ q, ...(limit ? { limit: String(limit) } : {}) });
    const res = await t.app.inject({ url: `/api/groups/${groupId}/codes/suggest?${query}`, headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    return res.json().suggestions as { text: string; count: number; by: string; similarity?: number }[];
  };

  it("lists own turns, then the baseline, then others' shared ones; hides unshared chats and masks shared ones", async () => {
    const { turns, progress } = await coding(ana.token);
    expect(turns.map((turn) => [turn.interactionId.replace(`${kind}-`, ''), turn.messageIndex, turn.kind])).toEqual([
      ['ana', 1, 'own'],
      ['baseline', 1, 'baseline'],
      ['import', 0, 'shared'],
      ['import', 2, 'shared'],
      ['bo-shared', 1, 'shared'],
    ]);
    expect(turns[0]).toMatchObject({ prompt: 'my question', response: 'Answer to my question', masked: false });
    expect(turns[2]?.prompt).toBeNull();
    expect(turns[3]?.prompt).toBe('Hi');
    const shared = turns[4] as Turn;
    expect(shared.masked).toBe(true);
    expect(shared.prompt).not.toContain('Bo');
    expect(JSON.stringify(turns)).not.toContain('secret');
    expect(progress).toEqual({ coded: 0, total: 5 });
    // Staff see the same material, every chat masked, none their own.
    const staff = await coding(moderator);
    expect(staff.turns.map((turn) => turn.kind)).not.toContain('own');
    expect(staff.turns.filter((turn) => turn.interactionId.includes('bo-')).every((turn) => turn.masked)).toBe(true);
  });

  it("carries the caller's own codes (spans, notes) and counts coded turns", async () => {
    const baseline = `${kind}-baseline`;
    const { ids } = await addLabels(ana.token, [
      { text: 'Warm', stage: 'initial', interactionId: baseline, messageIndex: 1, span: { start: 0, end: 12 } },
      { text: 'nuanced', annotation: 'names the history', stage: 'initial', interactionId: baseline, messageIndex: 1 },
    ]);
    await addLabels(bo.token, [{ text: 'cold', stage: 'initial', interactionId: baseline, messageIndex: 1 }]);
    const { turns, progress } = await coding(ana.token);
    const turn = turns.find((x) => x.interactionId === baseline) as Turn;
    expect(turn.codes).toEqual([
      { id: ids[0], text: 'Warm', note: null, span: { start: 0, end: 12 } },
      { id: ids[1], text: 'nuanced', note: 'names the history', span: null },
    ]);
    expect(progress).toEqual({ coded: 1, total: 5 });
    expect((await coding(bo.token)).progress.coded).toBe(1);
  });

  it('suggests codes by prefix first, then by meaning, merged as agreement merges them', async () => {
    const baseline = `${kind}-baseline`;
    await addLabels(bo.token, [
      { text: ' warm ', stage: 'initial', interactionId: baseline, messageIndex: 1 },
      { text: 'warmth', stage: 'initial', interactionId: baseline, messageIndex: 1 },
      { text: 'friendly and kind', stage: 'initial', interactionId: baseline, messageIndex: 1 },
    ]);
    const byPrefix = await suggest(ana.token, 'WAR');
    expect(byPrefix.slice(0, 2)).toEqual([
      { text: 'Warm', count: 2, by: 'prefix' },
      { text: 'warmth', count: 1, by: 'prefix' },
    ]);
    expect(byPrefix.slice(2).every((s) => s.by === 'meaning' && typeof s.similarity === 'number')).toBe(true);
    // The typed code itself is not offered back; the limit holds.
    expect((await suggest(ana.token, 'warm')).map((s) => s.text)).not.toContain('Warm');
    expect(await suggest(ana.token, 'w', 1)).toHaveLength(1);
    expect(await suggest(ana.token, '   ')).toEqual([]);
    // Codes added later reach the loaded index through the labels-added event.
    await addLabels(bo.token, [{ text: 'warmhearted', stage: 'initial' }]);
    await expect.poll(async () => (await suggest(ana.token, 'warmh')).map((s) => s.text)).toContain('warmhearted');
    // Staff may ask too; a stranger may not; bad limits are refused.
    expect(
      (await t.app.inject({ url: `/api/groups/${groupId}/codes/suggest?q=w`, headers: bearer(moderator) })).statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ url: `/api/groups/${groupId}/codes/suggest?q=w`, headers: bearer(stranger) })).statusCode,
    ).toBe(403);
    expect(
      (await t.app.inject({ url: `/api/groups/${groupId}/codes/suggest?q=w&limit=0`, headers: bearer(ana.token) }))
        .statusCode,
    ).toBe(400);
  });

  it("changes a note (author only; 5 MB is 413) and removes a code from the author's attributes as a new version", async () => {
    const baseline = `${kind}-baseline`;
    const { ids } = await addLabels(ana.token, [
      { text: 'mistake', stage: 'initial', interactionId: baseline, messageIndex: 1 },
      { text: 'keep', stage: 'initial', interactionId: baseline, messageIndex: 1 },
    ]);
    const [mistake, keep] = ids as [string, string];
    const patch = (token: string, id: string, payload: unknown) =>
      t.app.inject({ method: 'PATCH', url: `/api/labels/${id}`, headers: bearer(token), payload: payload as object });
    const noted = await patch(ana.token, mistake, { annotation: 'why: it reads curt' });
    expect(noted.statusCode).toBe(200);
    expect(noted.json()).toMatchObject({ id: mistake, annotation: 'why: it reads curt', text: 'mistake' });
    expect((await patch(ana.token, mistake, { annotation: '  ' })).json().annotation).toBeNull();
    expect((await patch(bo.token, mistake, { annotation: 'x' })).statusCode).toBe(403);
    expect((await patch(moderator, mistake, { annotation: 'x' })).statusCode).toBe(403);
    expect((await patch(stranger, mistake, { annotation: 'x' })).statusCode).toBe(403);
    expect((await patch(ana.token, 'lb_unknown', { annotation: 'x' })).statusCode).toBe(404);
    expect((await patch(ana.token, mistake, { annotation: 'x'.repeat(5_001) })).statusCode).toBe(400);
    const huge = await patch(ana.token, mistake, { annotation: 'y'.repeat(5 * 1024 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');

    const attribute = await created<{ id: string }>(
      t,
      `/api/groups/${groupId}/attributes`,
      {
        name: 'Warmth',
        definition: 'd',
        codes: [
          { labelId: mistake, sign: 1 },
          { labelId: keep, sign: -1 },
        ],
      },
      ana.token,
    );
    const remove = (token: string, id: string) =>
      t.app.inject({ method: 'DELETE', url: `/api/labels/${id}`, headers: bearer(token) });
    expect((await remove(bo.token, mistake)).statusCode).toBe(403);
    expect((await remove(moderator, mistake)).statusCode).toBe(403);
    const gone = await remove(ana.token, mistake);
    expect(gone.statusCode).toBe(200);
    expect(gone.json()).toEqual({ deleted: true, attributesChanged: [attribute.id] });
    expect((await remove(ana.token, mistake)).statusCode).toBe(404);
    const versions = (
      await t.app.inject({ url: `/api/attributes/${attribute.id}/versions`, headers: bearer(ana.token) })
    ).json().versions as { version: number; snapshot: { codes: unknown[] } }[];
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions[1]?.snapshot.codes).toEqual([{ labelId: keep, sign: -1 }]);
    const labels = (await t.app.inject({ url: `/api/groups/${groupId}/labels`, headers: bearer(ana.token) })).json()
      .labels as { id: string }[];
    expect(labels.map((l) => l.id)).not.toContain(mistake);
    // The index forgets a removed code once nobody carries it.
    await expect.poll(async () => (await suggest(ana.token, 'mist')).map((s) => s.text)).not.toContain('mistake');
  });
});
