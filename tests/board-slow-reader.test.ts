import { databaseKinds } from '@calma/db/testing/fresh';
import { startTestApp, type TestApp } from '@calma/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { addCard, type BoardClient, boardClient, until } from './support/board-clients.js';

/**
 * A reader that stops reading (a stalled tab: here a stock client whose socket is paused) while
 * four participants write 16 MiB of notes: the server drops it with 1013 once it has left more
 * than its limit (4 MiB) unread, instead of buffering the whole flood for it; the others' edits
 * keep arriving; and once it reads again it reconnects and ends with the same board, nothing lost.
 */
describe.each(databaseKinds)('a reader that stops reading on %s', (kind) => {
  let t: TestApp;
  let sessionId: string;
  const people: { token: string; participantId: string }[] = [];
  const clients: BoardClient[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    const study = await t.http<{ id: string }>('POST', '/api/studies', t.adminToken, {
      title: 'Slow reader',
      context: { name: 'n', description: '', systemPrompt: '' },
    });
    const group = await t.http<Record<string, string>>('POST', `/api/studies/${study.body.id}/groups`, t.adminToken, {
      name: 'G',
    });
    for (const name of ['w1', 'w2', 'w3', 'w4', 'reader', 'stalled']) {
      const joined = await t.http<{ token: string; participantId: string }>('POST', '/api/join', null, {
        inviteCode: group.body.inviteCode,
        displayName: name,
        consent: true,
      });
      people.push(joined.body);
    }
    const moderator = group.body.moderatorToken as string;
    sessionId = (await t.http<{ id: string }>('POST', `/api/groups/${group.body.id}/sessions`, moderator)).body.id;
    await t.http('POST', `/api/sessions/${sessionId}/control`, moderator, {
      action: 'start',
      segment: 2,
      durationMs: 600_000,
    });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await t.close();
  });

  it('is dropped with 1013, the others carry on, and it catches up after', async () => {
    const connect = async (person: (typeof people)[number]) => {
      const client = await boardClient(t.url, sessionId, person.token);
      clients.push(client);
      return client;
    };
    const writers = await Promise.all(people.slice(0, 4).map(connect));
    const reader = await connect(people[4] as (typeof people)[number]);
    const stalled = await connect(people[5] as (typeof people)[number]);
    const ws = stalled.provider.ws as unknown as WebSocket;
    ws.pause();

    // 4 writers × 16 notes of 256 KiB: within each writer's burst, half the board's size limit.
    const text = 'x'.repeat(256 * 1024);
    const ids: string[] = [];
    for (let n = 0; n < 16; n++) {
      for (const [w, writer] of writers.entries()) {
        const id = `w${w}-${n}`;
        ids.push(id);
        addCard(writer, id, { kind: 'note', text, x: n, y: w, authorId: people[w]?.participantId });
      }
    }
    await until(() => ids.every((id) => reader.cards.has(id)), 'the flood to reach the reader', 60_000);
    // Past the flood, an edit still reaches the reader at once.
    const sent = performance.now();
    addCard(writers[0] as BoardClient, 'after', {
      kind: 'note',
      text: 'small',
      x: 0,
      y: 9,
      authorId: people[0]?.participantId,
    });
    await until(() => reader.cards.has('after'), 'a small edit after the flood', 2_000);
    const latencyMs = performance.now() - sent;
    expect(latencyMs).toBeLessThan(2_000);

    // The stalled reader reads again: what was buffered for it, then the close, then a reconnect.
    ws.resume();
    await until(() => stalled.closes.length > 0, 'the stalled reader to hear it was dropped', 10_000);
    expect(stalled.closes[0]).toEqual({ code: 1013, reason: expect.stringMatching(/behind/) });
    await until(
      () => [...reader.cards.keys()].every((id) => stalled.cards.has(id)),
      'the stalled reader to catch up',
      30_000,
    );
    expect([...stalled.cards.keys()].sort()).toEqual([...reader.cards.keys()].sort());
    expect(stalled.cards.get('w3-15')?.get('text')).toBe(text);
  }, 120_000);
});
