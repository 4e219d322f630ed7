import { databaseKinds } from '@calma/db/testing/fresh';
import { startTestApp, type TestApp } from '@calma/server/testing';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { addCard, type BoardClient, boardClient, until } from './support/board-clients.js';

/**
 * The shared board with stock y-websocket clients: convergence, late joiners, permissions
 * enforced by the server, limits, and what survives a restart of the app on the same database.
 */
interface Group {
  id: string;
  inviteCode: string;
  moderatorToken: string;
  analystToken: string;
}

describe.each(databaseKinds)('the board on %s', (kind) => {
  let t: TestApp;
  let group: Group;
  let other: Group;
  const people: Record<string, { token: string; participantId: string }> = {};
  const clients: BoardClient[] = [];

  const connect = async (sessionId: string, token: string) => {
    const client = await boardClient(t.url, sessionId, token);
    clients.push(client);
    return client;
  };
  const newSession = async (segment = 2) => {
    const { body } = await t.http<{ id: string }>('POST', `/api/groups/${group.id}/sessions`, group.moderatorToken);
    if (segment > 0) {
      await control(body.id, { action: 'start', segment, durationMs: 3_600_000 });
    }
    return body.id;
  };
  const control = (sessionId: string, body: object) =>
    t.http('POST', `/api/sessions/${sessionId}/control`, group.moderatorToken, body);

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true });
    const study = await t.http<{ id: string }>('POST', '/api/studies', t.adminToken, {
      title: 'Board',
      context: { name: 'n', description: '', systemPrompt: '' },
    });
    group = (await t.http<Group>('POST', `/api/studies/${study.body.id}/groups`, t.adminToken, { name: 'G' })).body;
    other = (await t.http<Group>('POST', `/api/studies/${study.body.id}/groups`, t.adminToken, { name: 'H' })).body;
    for (const name of ['ana', 'bo', 'cy']) {
      people[name] = (
        await t.http<{ token: string; participantId: string }>('POST', '/api/join', null, {
          inviteCode: group.inviteCode,
          displayName: name,
          consent: true,
        })
      ).body;
    }
    await t.http('POST', `/api/groups/${group.id}/labels`, group.moderatorToken, {
      labels: [
        { text: 'balanced', stage: 'initial' },
        { text: 'one-sided', stage: 'initial' },
      ],
    });
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await t.close();
  });

  /** Rebuilds the app on the same database and port: rooms and caches start afresh. */
  const restart = async () => {
    await t.app.close();
    const { buildApp } = await import('@calma/server');
    const { hashToken } = await import('@calma/server/testing');
    t.app = await buildApp(
      { logLevel: 'silent', bodyLimit: 1 << 20, joinRateLimit: 1000, webDir: null },
      { db: t.db, adminTokenHash: hashToken(t.adminToken), version: 'test' },
    );
    await t.app.listen({ host: '127.0.0.1', port: Number(new URL(t.url).port) });
  };

  const ana = () => people.ana as { token: string; participantId: string };
  const bo = () => people.bo as { token: string; participantId: string };
  const cy = () => people.cy as { token: string; participantId: string };

  /**
   * How a test shows that a refused change reached no one, without sleeping: once the server has
   * handled the refused change (it closed the sender), `from` writes a note of its own, and the
   * observers wait for it. The server relays accepted updates in the order it handled them, so an
   * observer holding the sentinel would already hold the refused change, had it been relayed.
   * `authorId` is the writer's participant id (or anything, for the moderator).
   */
  const sentinel = async (from: BoardClient, authorId: string, id: string, observers: BoardClient[]) => {
    addCard(from, id, { kind: 'note', text: 'sentinel', x: 0, y: 0, authorId });
    await until(() => observers.every((o) => o.cards.has(id)), `the sentinel ${id} to arrive`);
  };

  it('converges two stock clients, gives a late joiner everything, and shows the group labels', async () => {
    const sessionId = await newSession();
    const a = await connect(sessionId, ana().token);
    const b = await connect(sessionId, bo().token);
    const labels = [...a.cards.values()].filter((c) => c.get('kind') === 'label').map((c) => c.get('text'));
    expect(labels.sort()).toEqual(['balanced', 'one-sided']);

    addCard(a, 'note-a', {
      kind: 'note',
      text: 'Balanced and nuanced go together',
      x: 10,
      y: 20,
      authorId: ana().participantId,
    });
    await until(() => b.cards.has('note-a'), 'b to see a’s note');
    b.cards.get('note-a')?.set('x', 300);
    addCard(b, 'note-b', { kind: 'note', text: 'biased', x: 0, y: 0, authorId: bo().participantId });
    await until(() => a.cards.get('note-a')?.get('x') === 300 && a.cards.has('note-b'), 'a to see b’s edits');

    const late = await connect(sessionId, group.analystToken);
    expect(late.cards.get('note-a')?.toJSON()).toMatchObject({ text: 'Balanced and nuanced go together', x: 300 });
    expect(late.cards.has('note-b')).toBe(true);
    expect(late.cards.size).toBe(4);
  });

  it("refuses a participant's deletion of another's card; it reaches no one", async () => {
    const sessionId = await newSession();
    const a = await connect(sessionId, ana().token);
    const b = await connect(sessionId, bo().token);
    const c = await connect(sessionId, cy().token);
    const watcher = await connect(sessionId, group.moderatorToken);
    addCard(a, 'mine', { kind: 'note', text: 'Ana’s', x: 0, y: 0, authorId: ana().participantId });
    await until(() => b.cards.has('mine') && watcher.cards.has('mine'), 'everyone to see the card');

    b.cards.delete('mine');
    await until(() => b.closes.length > 0, 'the server to close b');
    expect(b.closes[0]).toMatchObject({ code: 4403, reason: expect.stringMatching(/did not author/) });
    // The server has handled the deletion (it closed b for it); anything it relayed would reach
    // the others before the sentinel c writes now.
    await sentinel(c, cy().participantId, 'after-deletion', [watcher, a]);
    expect(watcher.cards.has('mine')).toBe(true);
    expect(a.cards.has('mine')).toBe(true);
    const fresh = await connect(sessionId, group.analystToken);
    expect(fresh.cards.has('mine')).toBe(true);

    // Rewriting someone else's text is refused too; moving their card is fine.
    c.cards.get('mine')?.set('y', 500);
    await until(() => watcher.cards.get('mine')?.get('y') === 500, 'the move to arrive');
    c.cards.get('mine')?.set('text', 'changed');
    await until(() => c.closes.length > 0, 'the server to close c');
    expect(c.closes[0]?.code).toBe(4403);
    await sentinel(a, ana().participantId, 'after-rewrite', [watcher]);
    expect(watcher.cards.get('mine')?.get('text')).toBe('Ana’s');
  });

  it('is read-only for analysts, and for participants in segments 1 and 5 and when locked', async () => {
    const sessionId = await newSession(1);
    const analyst = await connect(sessionId, group.analystToken);
    addCard(analyst, 'x', { kind: 'note', text: 'n', x: 0, y: 0, authorId: 'analyst' });
    await until(() => analyst.closes.length > 0, 'the analyst to be refused');
    expect(analyst.closes[0]?.code).toBe(4403);

    const a = await connect(sessionId, ana().token);
    addCard(a, 'in-seg-1', { kind: 'note', text: 'n', x: 0, y: 0, authorId: ana().participantId });
    await until(() => a.closes.length > 0, 'ana to be refused in segment 1');
    expect(a.closes[0]).toMatchObject({ code: 4409, reason: expect.stringMatching(/read-only/) });

    const moderator = await connect(sessionId, group.moderatorToken);
    addCard(moderator, 'by-moderator', { kind: 'note', text: 'ok', x: 0, y: 0, authorId: 'moderator' });
    await control(sessionId, { action: 'advance', durationMs: 60_000 });
    const b = await connect(sessionId, bo().token);
    await until(() => b.cards.has('by-moderator'), 'the moderator’s card');
    addCard(b, 'in-seg-2', { kind: 'note', text: 'n', x: 0, y: 0, authorId: bo().participantId });
    await until(() => moderator.cards.has('in-seg-2'), 'segment 2 to be writable');
    await control(sessionId, { action: 'lock-board' });
    addCard(b, 'locked', { kind: 'note', text: 'n', x: 0, y: 0, authorId: bo().participantId });
    await until(() => b.closes.length > 0, 'bo to be refused on a locked board');
    expect(b.closes[0]?.code).toBe(4409);
    // A locked board is still the moderator's to write: a second moderator tab sends the sentinel.
    const moderatorTab = await connect(sessionId, group.moderatorToken);
    await sentinel(moderatorTab, 'moderator', 'after-lock', [moderator]);
    expect(moderator.cards.has('locked')).toBe(false);
  });

  it('puts revealed segment-1 attributes on the board as cards', async () => {
    const sessionId = await newSession(1);
    await t.http('PUT', `/api/sessions/${sessionId}/segment1`, ana().token, {
      attributes: [{ name: 'Balanced', definition: 'Several perspectives' }],
    });
    const moderator = await connect(sessionId, group.moderatorToken);
    expect([...moderator.cards.values()].some((c) => c.get('kind') === 'attribute')).toBe(false);
    await control(sessionId, { action: 'reveal', segment: 1 });
    await until(() => [...moderator.cards.values()].some((c) => c.get('kind') === 'attribute'), 'attribute cards');
    const card = [...moderator.cards.values()].find((c) => c.get('kind') === 'attribute');
    expect(card?.toJSON()).toMatchObject({
      text: 'Balanced',
      definition: 'Several perspectives',
      authorId: ana().participantId,
    });
  });

  it('puts a segment-1 submission made after the reveal on an open board, after a restart too', async () => {
    const sessionId = await newSession(1);
    await control(sessionId, { action: 'reveal', segment: 1 });
    // The server that saw the reveal is gone: whether segment 1 is revealed comes from the session.
    await restart();
    const moderator = await connect(sessionId, group.moderatorToken);
    const attributes = () => [...moderator.cards.values()].filter((c) => c.get('kind') === 'attribute');
    expect(attributes()).toEqual([]);
    await t.http('PUT', `/api/sessions/${sessionId}/segment1`, bo().token, {
      attributes: [{ name: 'Late', definition: 'Submitted after the reveal' }],
    });
    await until(() => attributes().length === 1, 'the late attribute card');
    expect(attributes()[0]?.toJSON()).toMatchObject({ text: 'Late', authorId: bo().participantId });
  });

  it('refuses bad tokens, unknown sessions and other groups with close codes', async () => {
    const sessionId = await newSession();
    const closeOf = async (path: string) => {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}${path}`);
      return new Promise<{ code: number; reason: string }>((resolve) =>
        ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
    };
    expect((await closeOf(`/yjs/${sessionId}?token=nope-nope-nope-nope-nope`)).code).toBe(4401);
    expect((await closeOf(`/yjs/${sessionId}`)).code).toBe(4401);
    expect((await closeOf(`/yjs/se_missing?token=${group.moderatorToken}`)).code).toBe(4404);
    expect((await closeOf(`/yjs/${sessionId}?token=${other.moderatorToken}`)).code).toBe(4403);
    const unknownPath = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t.url.replace('http', 'ws')}/elsewhere`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(unknownPath).toBe(404);
  });

  it('closes on malformed and oversize messages, leaving the board and the server as they were', async () => {
    const sessionId = await newSession();
    const watcher = await connect(sessionId, group.moderatorToken);
    const a = await connect(sessionId, ana().token);
    // The group's labels are placed when the room loads; let them arrive first.
    await until(() => watcher.cards.size === 2, 'the label cards');
    const byNumber = (x: number, y: number) => x - y;
    // The client ids that wrote something into a document.
    const writers = (doc: Y.Doc) => [...Y.decodeStateVector(Y.encodeStateVector(doc)).keys()].sort(byNumber);
    const before = { cards: [...watcher.cards.keys()], writers: writers(watcher.doc) };
    const raw = (bytes: Uint8Array) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${t.url.replace('http', 'ws')}/yjs/${sessionId}?token=${ana().token}`);
        ws.on('open', () => ws.send(bytes));
        ws.on('close', (code) => resolve(code));
        ws.on('error', () => {});
      });
    expect(await raw(new Uint8Array([0, 2, 200, 1, 2, 3]))).toBe(4400);
    expect(await raw(new Uint8Array([0, 9, 1, 1]))).toBe(4400);
    // A real update over the 1 MiB limit.
    const big = new Y.Doc();
    big.getMap('cards').set(
      'huge',
      new Y.Map([
        ['kind', 'note'],
        ['text', 'x'.repeat(1_100_000)],
        ['authorId', ana().participantId],
      ]),
    );
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, 2);
    encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(big));
    expect(await raw(encoding.toUint8Array(encoder))).toBe(4413);
    // Each socket above was closed, so the server had handled its message before `a` writes.
    await sentinel(a, ana().participantId, 'after-oversize', [watcher]);
    // All the watcher gained is the sentinel: no card and no other writer's items.
    expect([...watcher.cards.keys()].sort()).toEqual([...before.cards, 'after-oversize'].sort());
    expect(writers(watcher.doc)).toEqual([...before.writers, a.doc.clientID].sort(byNumber));
    expect(writers(watcher.doc)).not.toContain(big.clientID);
    expect((await t.http('GET', '/api/health', null)).status).toBe(200);
  });

  it('keeps every accepted update across a restart of the app on the same database', async () => {
    const sessionId = await newSession();
    const a = await connect(sessionId, ana().token);
    const b = await connect(sessionId, bo().token);
    for (let i = 0; i < 30; i++) {
      addCard(a, `n${i}`, { kind: 'note', text: `note ${i}`, x: i, y: i, authorId: ana().participantId });
    }
    await until(() => b.cards.has('n29'), 'b to have all notes');
    const expected = b.cards.toJSON();
    a.destroy();
    b.destroy();
    await restart();
    const reader = await connect(sessionId, group.analystToken);
    expect(reader.cards.toJSON()).toEqual(expected);
  });
});
