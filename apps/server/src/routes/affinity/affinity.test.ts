import { databaseKinds } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  type CreatedGroupFixture,
  created,
  createGroup,
  join,
  startTestApp,
  type TestApp,
} from '../../testing.js';

/** The affinity map, summary and label-limit routes through `app.inject`, on both databases. */
describe.each(databaseKinds)('affinity map and summary routes on %s', (kind) => {
  let t: TestApp;
  let group: CreatedGroupFixture;
  let ana: { participantId: string; token: string };
  let sessionId: string;
  const labels = ['balanced', 'diplomatic', 'nuanced', 'biased', 'one-sided', 'colonial bias', 'factual', 'dry'];

  const post = (url: string, payload: unknown, token = group.moderatorToken) =>
    t.app.inject({ method: 'POST', url, headers: bearer(token), payload: payload as object });
  const get = (url: string, token = group.moderatorToken) => t.app.inject({ url, headers: bearer(token) });

  beforeAll(async () => {
    t = await startTestApp(kind, { mapMaxCards: 12 });
    group = await createGroup(t);
    ana = await join(t, group.inviteCode, 'Ana');
    await created(
      t,
      `/api/groups/${group.id}/labels`,
      { labels: labels.map((text) => ({ text, stage: 'initial' })) },
      group.moderatorToken,
    );
    sessionId = (await created<{ id: string }>(t, `/api/groups/${group.id}/sessions`, {}, group.moderatorToken)).id;
  });
  afterAll(() => t.close());

  it('lays out every label card and returns positions, clusters and the model', async () => {
    expect((await get(`/api/sessions/${sessionId}/affinity-map`)).statusCode).toBe(404);
    const res = await post(`/api/sessions/${sessionId}/affinity-map`, { include: ['labels'], seed: 7 });
    expect(res.statusCode).toBe(200);
    const map = res.json();
    expect(map).toMatchObject({
      model: 'calma/glove-wordnet-100d',
      fallbackFrom: null,
      dims: 100,
      seed: 7,
      include: ['labels'],
    });
    expect(map.points).toHaveLength(labels.length);
    for (const point of map.points) {
      expect(point.cardId).toBe(`label-${point.labelId}`);
      expect(Number.isFinite(point.x) && Number.isFinite(point.y)).toBe(true);
      expect(map.clusters.map((c: { id: number }) => c.id)).toContain(point.clusterId);
    }
    expect(map.clusters.reduce((n: number, c: { size: number }) => n + c.size, 0)).toBe(labels.length);
    // The latest map is readable by every member.
    const again = await get(`/api/sessions/${sessionId}/affinity-map`, ana.token);
    expect(again.statusCode).toBe(200);
    expect(again.json().points).toEqual(map.points);
  });

  it('is the same for the same seed', async () => {
    const a = (await post(`/api/sessions/${sessionId}/affinity-map`, { seed: 3 })).json();
    const b = (await post(`/api/sessions/${sessionId}/affinity-map`, { seed: 3 })).json();
    expect(b.points).toEqual(a.points);
    expect(a.include).toEqual(['labels', 'attributes']);
  });

  it('refuses bad bodies with 400, other roles with 403, unknown sessions with 404', async () => {
    const url = `/api/sessions/${sessionId}/affinity-map`;
    for (const body of [
      { include: [] },
      { include: ['cats'] },
      { include: ['labels', 'labels'] },
      { seed: -1 },
      { seed: 1.5 },
      { seed: '1' },
    ]) {
      const res = await post(url, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
    expect((await post(url, {}, ana.token)).statusCode).toBe(403);
    expect((await post(url, {}, group.analystToken)).statusCode).toBe(403);
    // The admin passes every role check, as everywhere in the API.
    expect((await post(url, { include: ['labels'] }, t.adminToken)).statusCode).toBe(200);
    expect((await post('/api/sessions/se_missing/affinity-map', {})).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url })).statusCode).toBe(401);
  });

  it('refuses a board with more cards than CALMA_MAP_MAX_CARDS with 413', async () => {
    const other = await createGroup(t, { studyId: group.studyId, name: 'Big' });
    await created(
      t,
      `/api/groups/${other.id}/labels`,
      { labels: Array.from({ length: 13 }, (_, i) => ({ text: `label ${i}`, stage: 'initial' })) },
      other.moderatorToken,
    );
    const session = await created<{ id: string }>(t, `/api/groups/${other.id}/sessions`, {}, other.moderatorToken);
    const res = await post(`/api/sessions/${session.id}/affinity-map`, {}, other.moderatorToken);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(res.json().error.message).toMatch(/13 cards.*at most 12/);
  });

  it('summarises the group: plain word counts over its labels and topics covering them', async () => {
    const res = await get(`/api/groups/${group.id}/summary`, ana.token);
    expect(res.statusCode).toBe(200);
    const summary = res.json();
    expect(summary.wordCloud).toContainEqual({ term: 'bias', count: 1 });
    expect(summary.wordCloud).toContainEqual({ term: 'biased', count: 1 });
    expect(summary.wordCloud.map((w: { term: string }) => w.term)).not.toContain('to');
    const covered = summary.topics.flatMap((topic: { labelIds: string[] }) => topic.labelIds);
    expect(covered).toHaveLength(labels.length);
    expect(
      summary.topics.every((topic: { source: string; name: string }) => topic.source === 'labels' && topic.name !== ''),
    ).toBe(true);
    const outsider = await createGroup(t, { studyId: group.studyId, name: 'Outsider' });
    expect((await get(`/api/groups/${group.id}/summary`, outsider.moderatorToken)).statusCode).toBe(403);
    expect((await get('/api/groups/gr_missing/summary')).statusCode).toBe(404);
  });

  it("takes topics from the interactions' user turns when there are any", async () => {
    const other = await createGroup(t, { studyId: group.studyId, name: 'Turns' });
    const turns = [
      'Tell me about the 1857 revolt',
      'Who led the 1857 revolt in Delhi?',
      'Why did the British partition Bengal?',
      'What was the partition of Bengal?',
    ];
    await created(
      t,
      `/api/groups/${other.id}/interactions`,
      {
        interactions: turns.map((content, i) => ({
          id: `turn-${i}`,
          baseline: false,
          messages: [
            { role: 'user', content },
            { role: 'assistant', content: 'An answer.' },
          ],
        })),
      },
      other.moderatorToken,
    );
    const summary = (await get(`/api/groups/${other.id}/summary`, other.moderatorToken)).json();
    expect(summary.topics.length).toBeGreaterThan(0);
    expect(summary.topics.every((topic: { source: string }) => topic.source === 'interactions')).toBe(true);
    expect(summary.topics.flatMap((topic: { interactionIds: string[] }) => topic.interactionIds).sort()).toEqual([
      'turn-0',
      'turn-1',
      'turn-2',
      'turn-3',
    ]);
    expect(summary.wordCloud).toEqual([]);
  });

  it('refuses bad labels clearly: empty or blank text 400, a 10 MB label 413, 50,000 labels in one call 400', async () => {
    const url = `/api/groups/${group.id}/labels`;
    for (const text of ['', '   ']) {
      const res = await post(url, { labels: [{ text, stage: 'initial' }] });
      expect(res.statusCode, JSON.stringify(text)).toBe(400);
    }
    const huge = await post(url, { labels: [{ text: 'x'.repeat(10 * 1024 * 1024), stage: 'initial' }] });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const many = await t.app.inject({
      method: 'POST',
      url,
      headers: bearer(group.moderatorToken),
      payload: { labels: Array.from({ length: 50_000 }, () => ({ text: 'a', stage: 'initial' })) },
      // Under the body limit of this app (1 MiB) only if small: the count check answers first or the limit does.
    });
    expect([400, 413]).toContain(many.statusCode);
    expect(many.json().error.code).toMatch(/VALIDATION_FAILED|PAYLOAD_TOO_LARGE/);
    // Nothing of the refused calls was stored.
    const stored = (await get(url)).json().labels;
    expect(stored).toHaveLength(labels.length);
  });
});
