import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, created, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

type Person = { token: string; participantId: string };
const ask = { role: 'user', content: 'Why did the British leave India?' };
const answer = (content: string) => ({ role: 'assistant', content });

describe.each(databaseKinds)('agreement on the baseline set on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.close());

  /** Labels `person` puts on message `messageIndex` of `interactionId`, through the API. */
  async function code(group: string, person: Person, interactionId: string, messageIndex: number, ...texts: string[]) {
    const { ids } = await created<{ ids: string[] }>(
      t,
      `/api/groups/${group}/labels`,
      { labels: texts.map((text) => ({ text, stage: 'initial', interactionId, messageIndex })) },
      person.token,
    );
    return ids;
  }

  async function agreement(groupId: string, token: string, query = '') {
    const res = await t.app.inject({ url: `/api/groups/${groupId}/agreement${query}`, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  it('is empty for a group without a baseline set', async () => {
    const group = await createGroup(t);
    expect(await agreement(group.id, group.moderatorToken)).toEqual({
      coders: 0,
      units: 0,
      codes: [],
      overall: null,
      attributes: [],
    });
  });

  it('gives 1 where coders agree, null for a code nobody varies, and leaves a coder missing where they did not code', async () => {
    const group = await createGroup(t);
    // The study's baseline set: every group gets a copy (`bl:<group>:<item>`); c has two answers.
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/studies/${group.studyId}/baseline`,
      headers: bearer(t.adminToken),
      payload: {
        interactions: [
          { id: 'a', messages: [ask, answer('Many reasons.')] },
          { id: 'b', messages: [ask, answer('Economics.')] },
          { id: 'c', messages: [ask, answer('First…'), ask, answer('Then…')] },
        ],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const [a, b, c] = ['a', 'b', 'c'].map((item) => `bl:${group.id}:${item}`) as [string, string, string];
    // Material outside the baseline set never counts.
    const [chat] = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${group.id}/interactions`,
        { interactions: [{ baseline: false, messages: [ask, answer('Elsewhere.')] }] },
        group.moderatorToken,
      )
    ).ids as [string];
    const ana = await join(t, group.inviteCode, 'Ana');
    const bo = await join(t, group.inviteCode, 'Bo');
    const cy = await join(t, group.inviteCode, 'Cy');

    await code(group.id, ana, a, 1, 'warm', 'polite');
    await code(group.id, bo, a, 1, 'Warm', 'polite');
    await code(group.id, cy, a, 1, 'warm', 'polite');
    await code(group.id, ana, b, 1, 'warm', 'polite');
    await code(group.id, bo, b, 1, ' WARM ', 'Polite');
    await code(group.id, bo, c, 3, 'cold', 'polite');
    await code(group.id, ana, c, 3, 'polite');
    // Ana's "cold" on c's second answer is a span: it codes that message like a whole-turn label.
    await t.db.db.insert(schema.labels).values({
      id: `lb_${kind}_span`,
      groupId: group.id,
      participantId: ana.participantId,
      interactionId: c,
      messageIndex: 3,
      spanStart: 0,
      spanEnd: 4,
      text: 'cold',
      stage: 'initial',
    });
    // Left out: a user message, a label naming no participant, another interaction.
    await code(group.id, cy, b, 0, 'cold');
    await created(
      t,
      `/api/groups/${group.id}/labels`,
      { labels: [{ text: 'cold', stage: 'initial', interactionId: a, messageIndex: 1 }] },
      group.moderatorToken,
    );
    await code(group.id, ana, chat, 1, 'cold');

    // Units a#1, b#1, c#1 (nobody coded it), c#3; coders Ana, Bo, Cy (Cy only coded a#1).
    // warm: a (1, 1, 1), b (1, 1, –), c#3 (0, 0, –): every unit unanimous and the values vary, α = 1.
    // cold: a (0, 0, 0), b (0, 0, –), c#3 (1, 1, –): α = 1. polite: 1 wherever coded: no variation, null.
    const result = await agreement(group.id, group.analystToken);
    expect(result).toEqual({
      coders: 3,
      units: 4,
      codes: [
        { text: 'polite', alpha: null, coders: 3, units: 3, split: 0 },
        { text: 'warm', alpha: 1, coders: 3, units: 2, split: 0 },
        { text: 'cold', alpha: 1, coders: 2, units: 1, split: 0 },
      ],
      overall: 1,
      attributes: [],
    });
    expect(await agreement(group.id, t.adminToken)).toEqual(result);
  });

  it('says which coders split on which units, with alpha computed by hand', async () => {
    const group = await createGroup(t);
    const { ids } = await created<{ ids: string[] }>(
      t,
      `/api/groups/${group.id}/interactions`,
      {
        interactions: ['u1', 'u2', 'u3'].map((id) => ({
          id: `${kind}-${group.id}-${id}`,
          baseline: true,
          messages: [answer(`Answer ${id}`)],
        })),
      },
      group.moderatorToken,
    );
    const [u1, u2, u3] = ids as [string, string, string];
    const ana = await join(t, group.inviteCode, 'Ana');
    const bo = await join(t, group.inviteCode, 'Bo');
    const [warmLabel] = await code(group.id, ana, u1, 0, 'warm');
    const [coldLabel] = await code(group.id, ana, u2, 0, 'cold');
    await code(group.id, ana, u3, 0, 'warm');
    await code(group.id, bo, u1, 0, 'warm');
    await code(group.id, bo, u2, 0, 'warm');
    await code(group.id, bo, u3, 0, 'warm');

    // warm: u1 (1, 1), u2 (0, 1), u3 (1, 1): o_11 = 4, o_01 = o_10 = 1, n_1 = 5, n_0 = 1, n = 6:
    // α = 1 − (n − 1)·2 / (2·5·1) = 0. cold mirrors it: 0. Pooled: o_11 = o_00 = 4, o_01 = o_10 = 2,
    // n_0 = n_1 = 6, n = 12: α = 1 − 11·4 / (2·6·6) = 7/18.
    const summary = await agreement(group.id, group.moderatorToken);
    expect(summary.codes).toEqual([
      { text: 'warm', alpha: 0, coders: 2, units: 3, split: 1 },
      { text: 'cold', alpha: 0, coders: 1, units: 1, split: 1 },
    ]);
    // Asked for by code (any spelling, repeatable): the units where coders split, who is on each side.
    const result = await agreement(group.id, group.moderatorToken, '?code=warm&code=%20COLD');
    expect(result.coders).toBe(2);
    expect(result.units).toBe(3);
    expect(result.codes).toEqual([
      {
        text: 'warm',
        alpha: 0,
        coders: 2,
        units: 3,
        split: 1,
        disagreements: [
          { interactionId: u2, messageIndex: 0, applied: [bo.participantId], notApplied: [ana.participantId] },
        ],
      },
      {
        text: 'cold',
        alpha: 0,
        coders: 1,
        units: 1,
        split: 1,
        disagreements: [
          { interactionId: u2, messageIndex: 0, applied: [ana.participantId], notApplied: [bo.participantId] },
        ],
      },
    ]);
    expect(result.overall).toBeCloseTo(7 / 18, 12);
    expect(result.attributes).toEqual([]);

    // Ana groups her codes into an attribute: warm counts for it, cold against. Values (Ana, Bo):
    // u1 (1, 1), u2 (−1, 1), u3 (1, 1): o_11 = 4, o_−1,1 = o_1,−1 = 1, n_1 = 5, n_−1 = 1, n = 6,
    // interval δ²(−1, 1) = 4: α = 1 − 5·(2·4) / (2·5·1·4) = 0.
    await t.db.db.insert(schema.attributes).values({
      id: `at_${kind}_warmth`,
      groupId: group.id,
      participantId: ana.participantId,
      name: 'Warmth',
      definition: 'How warm the answer feels',
      codes: [
        { labelId: warmLabel as string, sign: 1 },
        { labelId: coldLabel as string, sign: -1 },
        { labelId: 'lb_gone', sign: 1 },
      ],
    });
    expect((await agreement(group.id, group.moderatorToken)).attributes).toEqual([
      { id: `at_${kind}_warmth`, name: 'Warmth', participantId: ana.participantId, alpha: 0, coders: 2, units: 3 },
    ]);
    const one = await agreement(group.id, group.analystToken, '?code=cold');
    expect(one.codes.map((c: { disagreements?: unknown[] }) => c.disagreements?.length)).toEqual([undefined, 1]);
  });

  it('is described in the OpenAPI document, response schema included', async () => {
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json();
    const route = doc.paths['/api/groups/{groupId}/agreement']?.get;
    expect(route?.parameters?.map((p: { name: string }) => p.name).sort()).toEqual(['code', 'groupId']);
    const body = route?.responses?.['200']?.content?.['application/json']?.schema;
    expect(body?.required).toEqual(expect.arrayContaining(['coders', 'units', 'codes', 'overall', 'attributes']));
    expect(body?.properties?.codes?.items?.required).toEqual(
      expect.arrayContaining(['text', 'alpha', 'coders', 'units', 'split']),
    );
    expect(Object.keys(route?.responses ?? {})).toEqual(expect.arrayContaining(['200', '401', '403', '404']));
  });

  it('is for staff: a participant of the group is refused', async () => {
    const group = await createGroup(t);
    const ana = await join(t, group.inviteCode, 'Ana');
    const res = await t.app.inject({ url: `/api/groups/${group.id}/agreement`, headers: bearer(ana.token) });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
  });

  it('refuses a blank code to detail (400)', async () => {
    const group = await createGroup(t);
    const res = await t.app.inject({
      url: `/api/groups/${group.id}/agreement?code=`,
      headers: bearer(group.moderatorToken),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });
});
