import { databaseKinds } from '@calma/db/testing/fresh';
import { createGroup, join, startSession, startTestApp, type TestApp } from '@calma/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { addCard, type BoardClient, boardClient, until } from './support/board-clients.js';

/**
 * A reader that stops reading (a stalled tab: here a stock client whose socket is paused) while
 * four participants send 16 MiB (cursors with a large state, which the room relays to everyone,
 * and a note each round): the server drops it once it has left more than its limit (4 MiB)
 * unread, instead of buffering the whole flood for it; the others' edits keep arriving; and once
 * it reads again it reconnects and ends with the same board, nothing lost.
 * The drop is a close with 1013; the close frame waits behind what the reader left unread, and if
 * the reader is still silent 5 s later the server cuts the socket (the client sees 1006). Before
 * back-pressure, the reader was never closed: the server kept all 16 MiB for it.
 */
describe.each(databaseKinds)('a reader that stops reading on %s', (kind) => {
  let t: TestApp;
  let sessionId: string;
  const people: { token: string; participantId: string }[] = [];
  const clients: BoardClient[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    const group = await createGroup(t);
    for (const name of ['w1', 'w2', 'w3', 'w4', 'reader', 'stalled'])
      people.push(await join(t, group.inviteCode, name));
    sessionId = await startSession(t, group.id, group.moderatorToken);
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

    // 16 rounds of 4 × 256 KiB, a round at a time (what is relayed stays within the presence
    // budgets), each with a note from every writer.
    const pad = 'x'.repeat(256 * 1024);
    for (let n = 0; n < 16; n++) {
      const round: string[] = [];
      for (const [w, writer] of writers.entries()) {
        const id = `w${w}-${n}`;
        round.push(id);
        addCard(writer, id, { kind: 'note', text: id, x: n, y: w, authorId: people[w]?.participantId });
        writer.provider.awareness.setLocalStateField('cursor', { x: n, pad });
      }
      const seen = () =>
        writers.every((writer) => {
          const state = reader.provider.awareness.getStates().get(writer.provider.awareness.clientID);
          return (state?.cursor as { x?: number } | undefined)?.x === n;
        });
      await until(() => round.every((id) => reader.cards.has(id)) && seen(), `round ${n} to reach the reader`, 20_000);
    }
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
    const [dropped] = stalled.closes;
    if (dropped?.code === 1013) expect(dropped.reason).toMatch(/behind/);
    else expect(dropped?.code).toBe(1006);
    await until(
      () => [...reader.cards.keys()].every((id) => stalled.cards.has(id)),
      'the stalled reader to catch up',
      30_000,
    );
    expect([...stalled.cards.keys()].sort()).toEqual([...reader.cards.keys()].sort());
    expect(stalled.cards.get('w3-15')?.get('text')).toBe('w3-15');
  }, 120_000);
});
