import { databaseKinds } from '@calma/db/testing/fresh';
import { createGroup, join, startSession, startTestApp, type TestApp } from '@calma/server/testing';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { addCard, type BoardClient, boardClient, until } from './support/board-clients.js';

/**
 * One participant floods the board with tiny updates (a bounded loop, as fast as the socket
 * takes them): the server closes it with 4429, keeps answering, and the others' edits still
 * reach each other. On both databases: the flood ends in group commits, which on PostgreSQL once
 * exceeded the bind-parameter limit.
 */
describe.each(databaseKinds)('a flood from one participant on %s', (kind) => {
  let t: TestApp;
  let sessionId: string;
  const people: { token: string; participantId: string }[] = [];
  const clients: BoardClient[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    const group = await createGroup(t);
    for (const name of ['flooder', 'ana', 'bo']) people.push(await join(t, group.inviteCode, name));
    sessionId = await startSession(t, group.id, group.moderatorToken);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await t.close();
  });

  it('closes the flooder with 4429 and the others carry on', async () => {
    const [flooder, ana, bo] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    const a = await boardClient(t.url, sessionId, ana.token);
    const b = await boardClient(t.url, sessionId, bo.token);
    clients.push(a, b);

    // 5,000 updates of one note, each sent as soon as it is made, without waiting for anything.
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/yjs/${sessionId}?token=${flooder.token}`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('error', () => {});
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => {
      if (ws.readyState !== ws.OPEN) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.writeUpdate(encoder, update);
      ws.send(encoding.toUint8Array(encoder));
    });
    const note = new Y.Map<unknown>();
    doc.transact(() => {
      for (const [k, v] of Object.entries({ kind: 'note', text: 'flood', authorId: flooder.participantId, x: 0, y: 0 }))
        note.set(k, v);
      doc.getMap('cards').set('flood', note);
    });
    for (let i = 1; i <= 5_000 && ws.readyState === ws.OPEN; i++) note.set('x', i);
    expect(await closed).toBe(4429);

    const health = await t.http('GET', '/api/health', null);
    expect(health.status).toBe(200);
    addCard(a, 'after-flood', { kind: 'note', text: 'still here', x: 1, y: 1, authorId: ana.participantId });
    await until(() => b.cards.get('after-flood')?.get('text') === 'still here', 'ana’s card to reach bo');
    // What the flooder got in before the limit is on the board, and not more than its burst.
    await until(() => b.cards.has('flood'), 'the flooder’s accepted updates');
    const x = b.cards.get('flood')?.get('x');
    expect(typeof x === 'number' && x > 0 && x < 5_000).toBe(true);
  });
});
