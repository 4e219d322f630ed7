import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, created, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

interface Person {
  token: string;
  participantId: string;
}
interface Listed {
  id: string;
  participantId: string | null;
  name: string;
  definition: string;
  codes: { labelId: string; sign: 1 | -1 }[];
  examples: { interactionId: string; messageIndex: number; polarity: string }[];
  shared: boolean;
  version: number;
}

/** Focused coding: attributes, who sees and changes them, their versions, and bad input. */
describe.each(databaseKinds)('attributes on %s', (kind) => {
  let t: TestApp;
  let groupId: string;
  let inviteCode: string;
  let moderator: string;
  let analyst: string;
  let otherModerator: string;
  let ana: Person;
  let bo: Person;
  let anaCodes: string[];
  let boCode: string;
  let otherGroupCode: string;
  const interactionId = `${kind}-attr-baseline`;
  const boChat = `${kind}-attr-bo-chat`;

  beforeAll(async () => {
    t = await startTestApp(kind);
    const group = await createGroup(t);
    const other = await createGroup(t, { studyId: group.studyId, name: 'Other' });
    groupId = group.id;
    inviteCode = group.inviteCode;
    moderator = group.moderatorToken;
    analyst = group.analystToken;
    otherModerator = other.moderatorToken;
    ana = await join(t, group.inviteCode, 'Ana');
    bo = await join(t, group.inviteCode, 'Bo');
    const messages = [
      { role: 'user' as const, content: 'Why was the harvest celebrated?' },
      { role: 'assistant' as const, content: 'With a feast, warmly.' },
    ];
    await created(
      t,
      `/api/groups/${groupId}/interactions`,
      { interactions: [{ id: interactionId, baseline: true, messages }] },
      moderator,
    );
    // Bo's conversation, not shared: nobody else may cite it.
    await t.db.db.insert(schema.interactions).values({
      id: boChat,
      groupId,
      participantId: bo.participantId,
      baseline: false,
      source: 'chat',
      shared: false,
      messages,
    });
    const code = (text: string) => ({ text, stage: 'initial', interactionId, messageIndex: 1 });
    anaCodes = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${groupId}/labels`,
        { labels: [code('warm'), code('cold')] },
        ana.token,
      )
    ).ids;
    boCode = (await created<{ ids: string[] }>(t, `/api/groups/${groupId}/labels`, { labels: [code('dry')] }, bo.token))
      .ids[0] as string;
    otherGroupCode = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${other.id}/labels`,
        { labels: [{ text: 'elsewhere', stage: 'initial' }] },
        other.moderatorToken,
      )
    ).ids[0] as string;
  });
  afterAll(() => t.close());

  const create = (body: object, token: string) =>
    t.app.inject({ method: 'POST', url: `/api/groups/${groupId}/attributes`, headers: bearer(token), payload: body });
  const list = async (token: string): Promise<Listed[]> =>
    (await t.app.inject({ url: `/api/groups/${groupId}/attributes`, headers: bearer(token) })).json().attributes;
  const patch = (id: string, body: object, token: string) =>
    t.app.inject({ method: 'PATCH', url: `/api/attributes/${id}`, headers: bearer(token), payload: body });
  const warmth = () => ({
    name: 'Warmth',
    definition: 'How kindly the answer speaks',
    codes: [
      { labelId: anaCodes[0], sign: 1 },
      { labelId: anaCodes[1], sign: -1 },
    ],
    examples: [{ interactionId, messageIndex: 1, polarity: 'positive' }],
  });

  it('creates a participant’s attribute from their signed codes; others see it once shared', async () => {
    const res = await create(warmth(), ana.token);
    expect(res.statusCode).toBe(201);
    const { id } = res.json();
    const mine = await list(ana.token);
    expect(mine.find((a) => a.id === id)).toMatchObject({
      participantId: ana.participantId,
      name: 'Warmth',
      codes: warmth().codes,
      examples: warmth().examples,
      shared: false,
      version: 1,
    });
    expect((await list(bo.token)).some((a) => a.id === id)).toBe(false);
    expect((await list(analyst)).some((a) => a.id === id)).toBe(true);

    const share = await t.app.inject({
      method: 'POST',
      url: `/api/attributes/${id}/share`,
      headers: bearer(ana.token),
      payload: { shared: true },
    });
    expect(share.statusCode).toBe(200);
    expect(share.json()).toMatchObject({ shared: true, version: 2 });
    expect((await list(bo.token)).some((a) => a.id === id)).toBe(true);
    const byModerator = await t.app.inject({
      method: 'POST',
      url: `/api/attributes/${id}/share`,
      headers: bearer(moderator),
      payload: { shared: false },
    });
    expect(byModerator.statusCode).toBe(403);
  });

  it('lets the moderator build the group’s attribute from anyone’s codes', async () => {
    const res = await create(
      {
        name: 'Tone',
        definition: '',
        codes: [
          { labelId: boCode, sign: 1 },
          { labelId: anaCodes[0], sign: -1 },
        ],
      },
      moderator,
    );
    expect(res.statusCode).toBe(201);
    const tone = (await list(moderator)).find((a) => a.id === res.json().id);
    expect(tone).toMatchObject({ participantId: null, examples: [] });
    expect((await list(ana.token)).some((a) => a.id === tone?.id)).toBe(false);
  });

  it('refuses bad references and bad input with 400, storing nothing', async () => {
    const before = (await list(moderator)).length;
    const cases: [object, string][] = [
      [{ ...warmth(), codes: [{ labelId: boCode, sign: 1 }] }, 'INVALID_REFERENCE'],
      [{ ...warmth(), codes: [{ labelId: 'lb_nothing', sign: 1 }] }, 'INVALID_REFERENCE'],
      [{ ...warmth(), codes: [{ labelId: otherGroupCode, sign: 1 }] }, 'INVALID_REFERENCE'],
      [{ ...warmth(), codes: [{ labelId: anaCodes[0], sign: 0 }] }, 'VALIDATION_FAILED'],
      [
        {
          ...warmth(),
          codes: [
            { labelId: anaCodes[0], sign: 1 },
            { labelId: anaCodes[0], sign: -1 },
          ],
        },
        'BAD_REQUEST',
      ],
      [{ ...warmth(), examples: [{ interactionId, messageIndex: 2, polarity: 'positive' }] }, 'INVALID_REFERENCE'],
      [{ ...warmth(), examples: [{ interactionId, messageIndex: 0, polarity: 'positive' }] }, 'INVALID_REFERENCE'],
      [
        { ...warmth(), examples: [{ interactionId: boChat, messageIndex: 1, polarity: 'negative' }] },
        'INVALID_REFERENCE',
      ],
      [{ ...warmth(), examples: [{ interactionId, messageIndex: 1, polarity: 'neutral' }] }, 'VALIDATION_FAILED'],
      [{ ...warmth(), name: '   ' }, 'BAD_REQUEST'],
      [{ ...warmth(), name: undefined }, 'VALIDATION_FAILED'],
    ];
    for (const [body, code] of cases) {
      const res = await create(body, ana.token);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code, JSON.stringify(body)).toBe(code);
    }
    const huge = await create({ ...warmth(), definition: 'x'.repeat(2 * 1024 * 1024) }, ana.token);
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await list(moderator)).toHaveLength(before);
  });

  it('changes with optimistic concurrency: a stale version is 409 STALE_REVISION, one of two racing edits wins', async () => {
    const { id } = (await create(warmth(), ana.token)).json();
    const first = await patch(id, { definition: 'Kind words', version: 1 }, ana.token);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ definition: 'Kind words', version: 2, name: 'Warmth' });
    const stale = await patch(id, { name: 'Kindness', version: 1 }, ana.token);
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('STALE_REVISION');
    const race = await Promise.all([
      patch(id, { name: 'Tab A', version: 2 }, ana.token),
      patch(id, { name: 'Tab B', version: 2 }, ana.token),
    ]);
    expect(race.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    // Without a version, edits apply in turn.
    expect((await patch(id, { codes: [{ labelId: anaCodes[0], sign: -1 }] }, moderator)).json().version).toBe(4);
    expect((await patch(id, { version: 4 }, ana.token)).json().error.code).toBe('BAD_REQUEST');
    expect((await patch(id, { name: ' ' }, ana.token)).json().error.code).toBe('BAD_REQUEST');
    expect((await patch(id, { codes: [{ labelId: boCode, sign: 1 }] }, ana.token)).json().error.code).toBe(
      'INVALID_REFERENCE',
    );
  });

  it('keeps every version: who, when, what', async () => {
    const { id } = (await create(warmth(), ana.token)).json();
    await patch(id, { name: 'Kindness' }, ana.token);
    await patch(id, { examples: [] }, moderator);
    const res = await t.app.inject({ url: `/api/attributes/${id}/versions`, headers: bearer(analyst) });
    expect(res.statusCode).toBe(200);
    const versions = res.json().versions as {
      version: number;
      changedBy: string;
      createdAt: string;
      snapshot: Listed;
    }[];
    expect(versions.map((v) => [v.version, v.changedBy, v.snapshot.name, v.snapshot.examples.length])).toEqual([
      [1, ana.participantId, 'Warmth', 1],
      [2, ana.participantId, 'Kindness', 1],
      [3, 'moderator', 'Kindness', 0],
    ]);
    expect(Number.isNaN(Date.parse(versions[0]?.createdAt ?? ''))).toBe(false);
    // Not shared: another participant sees neither it nor its history.
    expect((await t.app.inject({ url: `/api/attributes/${id}/versions`, headers: bearer(bo.token) })).statusCode).toBe(
      403,
    );
  });

  it('lets only the author and the group’s moderator change or delete', async () => {
    const { id } = (await create(warmth(), ana.token)).json();
    expect((await patch(id, { name: 'Mine now' }, bo.token)).statusCode).toBe(403);
    expect((await patch(id, { name: 'Mine now' }, analyst)).statusCode).toBe(403);
    expect((await patch(id, { name: 'Mine now' }, otherModerator)).statusCode).toBe(403);
    expect((await patch('at_nothing', { name: 'x' }, ana.token)).statusCode).toBe(404);
    const remove = (token: string) =>
      t.app.inject({ method: 'DELETE', url: `/api/attributes/${id}`, headers: bearer(token) });
    expect((await remove(bo.token)).statusCode).toBe(403);
    expect((await remove(ana.token)).statusCode).toBe(200);
    expect((await list(ana.token)).some((a) => a.id === id)).toBe(false);
    expect((await remove(ana.token)).statusCode).toBe(404);
    // The history stays: the research record keeps what it was and who deleted it.
    const history = await t.db.db
      .select()
      .from(schema.attributeVersions)
      .where(eq(schema.attributeVersions.attributeId, id))
      .orderBy(schema.attributeVersions.version);
    expect(history.map((v) => [v.version, v.changedBy, v.snapshot === null])).toEqual([
      [1, ana.participantId, false],
      [2, ana.participantId, true],
    ]);
  });

  it('moves attributes with their codes when the moderator merges a duplicate participant', async () => {
    const twin = await join(t, inviteCode, 'Ana again');
    const code = (
      await created<{ ids: string[] }>(
        t,
        `/api/groups/${groupId}/labels`,
        { labels: [{ text: 'gentle', stage: 'initial' }] },
        twin.token,
      )
    ).ids[0];
    const { id } = (
      await create({ name: 'Gentleness', definition: '', codes: [{ labelId: code, sign: 1 }] }, twin.token)
    ).json();
    const merge = await t.app.inject({
      method: 'POST',
      url: `/api/groups/${groupId}/participants/${twin.participantId}/merge`,
      headers: bearer(moderator),
      payload: { into: ana.participantId },
    });
    expect(merge.statusCode).toBe(200);
    expect((await list(ana.token)).find((a) => a.id === id)?.participantId).toBe(ana.participantId);
  });
});
