import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, created, createGroup, join, startTestApp, type TestApp } from '../../testing.js';

interface StoredLabel {
  id: string;
  text: string;
  messageIndex: number | null;
  span?: { start: number; end: number } | null;
  spanStale?: boolean;
}

/** Codes on spans of assistant turns: validation, all-or-nothing batches, staleness, limits. */
describe.each(databaseKinds)('coded spans on %s', (kind) => {
  let t: TestApp;
  let groupId: string;
  let moderator: string;
  let ana: { token: string; participantId: string };
  const interactionId = `${kind}-spans`;
  // Devanagari and an emoji: offsets are UTF-16 code units, as `String.prototype.length` counts.
  const answer = 'नमस्ते 👋 The harvest was celebrated with a feast.';
  const conversation = [
    { role: 'user', content: 'Why was the harvest celebrated?' },
    { role: 'assistant', content: answer },
  ];

  beforeAll(async () => {
    // The production default body limit (4 MB), so 10,000 codes fit and a 5 MB note does not.
    t = await startTestApp(kind, { bodyLimit: 4 * 1024 * 1024 });
    const group = await createGroup(t);
    groupId = group.id;
    moderator = group.moderatorToken;
    ana = await join(t, group.inviteCode, 'Ana');
    await created(
      t,
      `/api/groups/${groupId}/interactions`,
      { interactions: [{ id: interactionId, baseline: true, messages: conversation }] },
      moderator,
    );
  });
  afterAll(() => t.close());

  const post = (labels: object[], token = ana.token) =>
    t.app.inject({ method: 'POST', url: `/api/groups/${groupId}/labels`, headers: bearer(token), payload: { labels } });
  const list = async (): Promise<StoredLabel[]> =>
    (await t.app.inject({ url: `/api/groups/${groupId}/labels`, headers: bearer(moderator) })).json().labels;
  const code = (text: string, span: object | null, messageIndex: number | null = 1) => ({
    text,
    stage: 'initial',
    interactionId,
    messageIndex,
    span,
  });

  it('stores overlapping spans and whole-turn codes on one turn, and lists them as stored', async () => {
    const res = await post([
      code('greeting', { start: 0, end: 6 }),
      code('warm', { start: 0, end: 8 }),
      code('whole answer', { start: 0, end: answer.length }),
      code('no span', null),
    ]);
    expect(res.statusCode).toBe(201);
    const labels = await list();
    expect(labels.map((l) => [l.text, l.messageIndex, l.span])).toEqual([
      ['greeting', 1, { start: 0, end: 6 }],
      ['warm', 1, { start: 0, end: 8 }],
      ['whole answer', 1, { start: 0, end: answer.length }],
      ['no span', 1, null],
    ]);
    expect(labels.some((l) => l.spanStale)).toBe(false);
  });

  it('refuses a bad span with 400 naming the label, and stores nothing of the batch', async () => {
    const before = (await list()).length;
    const cases: [object, number, string][] = [
      [code('empty', { start: 3, end: 3 }), 400, 'VALIDATION_FAILED'],
      [code('reversed', { start: 5, end: 2 }), 400, 'VALIDATION_FAILED'],
      [code('past the end', { start: 0, end: answer.length + 1 }), 400, 'VALIDATION_FAILED'],
      [code('negative', { start: -1, end: 2 }), 400, 'VALIDATION_FAILED'],
      [code('fractional', { start: 0.5, end: 2 }), 400, 'VALIDATION_FAILED'],
      [code('user turn', { start: 0, end: 3 }, 0), 400, 'INVALID_REFERENCE'],
      [code('no message', { start: 0, end: 3 }, null), 400, 'INVALID_REFERENCE'],
      [{ text: 'no interaction', stage: 'initial', span: { start: 0, end: 3 } }, 400, 'INVALID_REFERENCE'],
      [code('past the messages', { start: 0, end: 3 }, 2), 400, 'INVALID_REFERENCE'],
    ];
    for (const [bad, status, errorCode] of cases) {
      const res = await post([code('fine', { start: 0, end: 2 }), bad]);
      expect(res.statusCode, JSON.stringify(bad)).toBe(status);
      expect(res.json().error.code, JSON.stringify(bad)).toBe(errorCode);
      expect(res.json().error.message, JSON.stringify(bad)).toMatch(/labels(\[|\/)1/);
    }
    expect(await list()).toHaveLength(before);
  });

  it('keeps a label whose message was re-imported shorter, flagged spanStale', async () => {
    const staleId = `${kind}-edited`;
    await created(
      t,
      `/api/groups/${groupId}/interactions`,
      {
        interactions: [{ id: staleId, baseline: false, messages: [{ role: 'assistant', content: 'A long answer.' }] }],
      },
      moderator,
    );
    const res = await post([
      { text: 'long', stage: 'initial', interactionId: staleId, messageIndex: 0, span: { start: 2, end: 13 } },
      { text: 'short', stage: 'initial', interactionId: staleId, messageIndex: 0, span: { start: 0, end: 1 } },
    ]);
    expect(res.statusCode).toBe(201);
    await created(
      t,
      `/api/groups/${groupId}/interactions`,
      { interactions: [{ id: staleId, baseline: false, messages: [{ role: 'assistant', content: 'Short.' }] }] },
      moderator,
    );
    const labels = await list();
    expect(labels.find((l) => l.text === 'long')).toMatchObject({ span: { start: 2, end: 13 }, spanStale: true });
    expect(labels.find((l) => l.text === 'short')?.spanStale).toBeUndefined();
  });

  it('takes 10,000 codes on one turn in one request', async () => {
    const before = (await list()).length;
    const many = Array.from({ length: 10_000 }, (_, i) => code(`c${i}`, { start: i % 20, end: (i % 20) + 5 }));
    const res = await post(many);
    expect(res.statusCode).toBe(201);
    expect(res.json().ids).toHaveLength(10_000);
    const labels = await list();
    expect(labels).toHaveLength(before + 10_000);
    expect(labels.at(-1)).toMatchObject({ text: 'c9999', span: { start: 19, end: 24 } });
  }, 60_000);

  it('refuses more than 10,000 labels in one request', async () => {
    const res = await post(Array.from({ length: 10_001 }, () => ({ text: 'x', stage: 'initial' })));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a 5 MB note with 413 in the contract’s error shape, storing nothing', async () => {
    const before = (await list()).length;
    const res = await post([{ ...code('noted', { start: 0, end: 2 }), annotation: 'x'.repeat(5 * 1024 * 1024) }]);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
    expect(await list()).toHaveLength(before);
  });
});
