import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, created, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

const parse = (body: string) => {
  expect(body.startsWith('\uFEFF')).toBe(true);
  const result = Papa.parse<Record<string, string>>(body.slice(1), { header: true, skipEmptyLines: true });
  expect(result.errors).toEqual([]);
  return result.data;
};

describe.each(databaseKinds)('codebook and coded-segments CSVs on %s', (kind) => {
  let t: TestApp;
  let group: Awaited<ReturnType<typeof createGroup>>;
  const chatId = `${kind}-secret`;
  const quotedId = `${kind}-quoted`;
  const quoted = 'Thanksgiving is warm, "family" time.';

  beforeAll(async () => {
    t = await startTestApp(kind);
    group = await createGroup(t);
    const asha = await join(t, group.inviteCode, 'Asha');
    const bo = await join(t, group.inviteCode, 'Bo');
    await t.db.db.insert(schema.interactions).values({
      id: chatId,
      groupId: group.id,
      participantId: asha.participantId,
      baseline: false,
      source: 'chat',
      shared: false,
      messages: [{ role: 'assistant', content: 'Unshared words' }],
    });
    await created(
      t,
      `/api/groups/${group.id}/interactions`,
      { interactions: [{ id: quotedId, baseline: false, messages: [{ role: 'assistant', content: quoted }] }] },
      group.moderatorToken,
    );
    const label = (text: string, extra: Record<string, unknown> = {}) => ({
      text,
      stage: 'initial',
      interactionId: quotedId,
      messageIndex: 0,
      ...extra,
    });
    const ashas = await created<{ ids: string[] }>(
      t,
      `/api/groups/${group.id}/labels`,
      {
        labels: [
          label('warm', { span: { start: 16, end: 20 }, annotation: 'kind tone' }),
          { text: 'hidden', stage: 'initial', interactionId: chatId, messageIndex: 0 },
        ],
      },
      asha.token,
    );
    await created(t, `/api/groups/${group.id}/labels`, { labels: [label('Warm'), label('=1+1')] }, bo.token);
    await created(t, `/api/groups/${group.id}/labels`, { labels: [label('cold')] }, group.moderatorToken);
    await created(
      t,
      `/api/groups/${group.id}/attributes`,
      { name: 'Warmth', definition: 'Kind, friendly', codes: [{ labelId: ashas.ids[0], sign: 1 }] },
      asha.token,
    );
  });
  afterAll(() => t.close());

  const download = (path: string, token: string) =>
    t.app.inject({ url: `/api/groups/${group.id}/${path}`, headers: bearer(token) });

  it('lists one row per distinct code with uses, coders and signed attributes', async () => {
    const res = await download('codebook.csv', group.analystToken);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toContain('attachment');
    const rows = parse(res.body);
    expect(rows.map((r) => [r.code, r.uses, r.coders, r.attributes])).toEqual([
      ['warm', '2', '2', 'Warmth (for)'],
      ['hidden', '1', '1', ''],
      ["'=1+1", '1', '1', ''],
      ['cold', '1', '1', ''],
    ]);
    expect(rows[0]?.attribute_definitions).toBe('Warmth: Kind, friendly');
  });

  it('lists every coded span or turn with pseudonymous coders, quoting the coded words; unshared chats left out', async () => {
    const res = await download('coded-segments.csv', group.moderatorToken);
    expect(res.statusCode).toBe(200);
    const rows = parse(res.body);
    expect(rows.map((r) => [r.coder, r.code, r.span_start, r.span_end, r.coded_text])).toEqual([
      ['P1', 'warm', '16', '20', 'warm'],
      ['P2', 'Warm', '', '', quoted],
      ['P2', "'=1+1", '', '', quoted],
      ['Moderator', 'cold', '', '', quoted],
    ]);
    expect(rows[0]).toMatchObject({ interaction_id: quotedId, message_index: '0', note: 'kind tone' });
    expect(rows[0]?.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(res.body).not.toContain('Unshared');
  });

  it('is for staff only', async () => {
    const asha = await join(t, group.inviteCode, 'Cy');
    for (const path of ['codebook.csv', 'coded-segments.csv']) {
      expect((await download(path, asha.token)).statusCode).toBe(403);
    }
  });
});
