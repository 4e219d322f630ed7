import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, created, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

interface Suggestion {
  id: string;
  name: string;
  codes: { labelId: string; text: string; sign: 1 | -1 }[];
  cohesion: number;
}

/** Suggested groupings of codes (focused coding), with the offline embedder. */
describe.each(databaseKinds)('attribute suggestions on %s', (kind) => {
  let t: TestApp;
  let groupId: string;
  let inviteCode: string;
  let moderator: string;
  let ana: { token: string; participantId: string };
  let bo: { token: string; participantId: string };
  const interactionId = `${kind}-suggest-baseline`;
  let anaIds: Map<string, string[]>;

  beforeAll(async () => {
    t = await startTestApp(kind);
    const group = await createGroup(t);
    groupId = group.id;
    inviteCode = group.inviteCode;
    moderator = group.moderatorToken;
    ana = await join(t, group.inviteCode, 'Ana');
    bo = await join(t, group.inviteCode, 'Bo');
    const messages = [
      { role: 'user' as const, content: 'Why was the harvest celebrated?' },
      { role: 'assistant' as const, content: 'With a feast, warmly.' },
      { role: 'user' as const, content: 'And then?' },
      { role: 'assistant' as const, content: 'They gave thanks at length, at very great length indeed.' },
    ];
    await created(
      t,
      `/api/groups/${groupId}/interactions`,
      { interactions: [{ id: interactionId, baseline: true, messages }] },
      moderator,
    );
    const code = (text: string, messageIndex = 1) => ({ text, stage: 'initial', interactionId, messageIndex });
    const anaTexts = ['warm', 'friendly', 'caring', 'not warm', 'cold', 'verbose', 'long-winded'];
    const ids = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${groupId}/labels`,
        // "warm" on two turns, once spelt "Warm": one code, spelt as most often.
        { labels: [...anaTexts.map((x) => code(x)), code('Warm', 3), code('warm', 3)] },
        ana.token,
      )
    ).ids;
    anaIds = new Map(anaTexts.map((x, i) => [x, [ids[i] as string]]));
    anaIds.get('warm')?.push(ids[anaTexts.length] as string, ids[anaTexts.length + 1] as string);
    await created(t, `/api/groups/${groupId}/labels`, { labels: [code('kind'), code('polite')] }, bo.token);
  });
  afterAll(() => t.close());

  const suggestions = async (token: string): Promise<Suggestion[]> => {
    const res = await t.app.inject({ url: `/api/groups/${groupId}/attributes/suggestions`, headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(res.json().suggestedBy).toEqual(expect.any(String));
    return res.json().suggestions;
  };
  const textsOf = (s: Suggestion) => [...new Set(s.codes.map((c) => c.text))].sort();

  it("groups a participant's own codes by meaning, a negation counting against", async () => {
    const list = await suggestions(ana.token);
    const warmth = list.find((s) => s.codes.some((c) => c.text === 'caring'));
    expect(warmth && textsOf(warmth)).toEqual(['caring', 'friendly', 'not warm', 'warm']);
    expect(warmth?.codes.filter((c) => c.sign === -1).map((c) => c.text)).toEqual(['not warm']);
    // Every label of a code is in it (both spellings of "warm").
    expect(
      warmth?.codes
        .filter((c) => c.text === 'warm')
        .map((c) => c.labelId)
        .sort(),
    ).toEqual([...(anaIds.get('warm') ?? [])].sort());
    expect(warmth?.name).not.toBe('not warm');
    expect(warmth?.cohesion).toBeGreaterThan(0.3);
    const length = list.find((s) => s.codes.some((c) => c.text === 'verbose'));
    expect(length && textsOf(length)).toEqual(['long-winded', 'verbose']);
    // "cold" is near nothing of Ana's; Bo's codes are not Ana's to group.
    const all = list.flatMap((s) => s.codes.map((c) => c.text));
    expect(all).not.toContain('cold');
    expect(all).not.toContain('kind');
    // The same request gives the same suggestions (ids a device can remember a dismissal by).
    expect(await suggestions(ana.token)).toEqual(list);
  });

  it("gives the moderator suggestions over the group's codes, everyone's", async () => {
    const list = await suggestions(moderator);
    const texts = list.flatMap((s) => s.codes.map((c) => c.text));
    expect(texts).toEqual(expect.arrayContaining(['kind', 'polite', 'caring', 'verbose']));
  });

  it('never writes, and leaves out a grouping already made into one of the person’s attributes', async () => {
    const listAttributes = async () =>
      (await t.app.inject({ url: `/api/groups/${groupId}/attributes`, headers: bearer(moderator) })).json().attributes;
    expect(await listAttributes()).toEqual([]);
    const before = await suggestions(ana.token);
    expect(await listAttributes()).toEqual([]);
    const length = before.find((s) => s.codes.some((c) => c.text === 'verbose')) as Suggestion;
    // Bo making the same grouping of his own does not hide Ana's.
    await created(t, `/api/groups/${groupId}/attributes`, { name: 'Polite', definition: '', codes: [] }, bo.token);
    expect((await suggestions(ana.token)).map((s) => s.id)).toEqual(before.map((s) => s.id));
    // Ana saves it with one more code (and a sign changed): it is made, so it is not offered again.
    await created(
      t,
      `/api/groups/${groupId}/attributes`,
      {
        name: 'Length',
        definition: 'Says too much',
        codes: [
          ...length.codes.map((c) => ({ labelId: c.labelId, sign: c.text === 'verbose' ? -1 : 1 })),
          { labelId: anaIds.get('cold')?.[0], sign: 1 },
        ],
      },
      ana.token,
    );
    const after = await suggestions(ana.token);
    expect(after.map((s) => s.id)).toEqual(before.filter((s) => s.id !== length.id).map((s) => s.id));
    // The moderator's suggestions are measured against the moderator's attributes, not Ana's.
    expect((await suggestions(moderator)).some((s) => s.codes.some((c) => c.text === 'verbose'))).toBe(true);
  });

  it('suggests nothing to a participant with fewer than two codes', async () => {
    const cy = await join(t, inviteCode, 'Cy');
    expect(await suggestions(cy.token)).toEqual([]);
  });

  it('refuses the analyst (suggestions are for those who make attributes)', async () => {
    const group = await createGroup(t);
    const res = await t.app.inject({
      url: `/api/groups/${group.id}/attributes/suggestions`,
      headers: bearer(group.analystToken),
    });
    expect(res.statusCode).toBe(403);
  });
});
