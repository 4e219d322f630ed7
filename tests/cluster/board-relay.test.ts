import { initialSessionState } from '@calma/core';
import { createGroup, createSession, createStudy, loadBoard } from '@calma/db';
import type { TestDb } from '@calma/db/testing';
import { freshDb } from '@calma/db/testing/fresh';
import { BoardKey } from '@calma/protocol/board';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { RedisBoardRelay } from '../../apps/server/src/cluster/board-relay.js';
import { RedisConnections } from '../../apps/server/src/cluster/redis.js';
import { BoardRoom } from '../../apps/server/src/realtime/yjs/room.js';
import { BoardStore } from '../../apps/server/src/realtime/yjs/store.js';
import { Client, quiet } from '../../apps/server/src/realtime/yjs/test-kit.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../support/redis.js';

type Redis = ThrowawayRedis;

/** One node: its relay over three Redis connections, and its board store on the shared database. */
async function node(redis: Redis, db: TestDb) {
  const connections = await RedisConnections.connect(redis.url, { warn: () => undefined, info: () => undefined });
  const commands = connections.client;
  const reader = connections.dedicated('reader');
  const subscriber = connections.dedicated('subscriber');
  const relay = new RedisBoardRelay({ commands, reader, subscriber }, quiet, { blockMs: 500, heartbeatMs: 200 });
  const store = new BoardStore(db, { shared: true });
  return {
    relay,
    store,
    open: (sessionId: string, compactEvery = 500) =>
      BoardRoom.load(
        sessionId,
        'g',
        { segment: 2, status: 'running', boardLocked: false },
        store,
        // Folds as often as `compactEvery` says: the test is about folds on both nodes at once.
        { maxUpdateBytes: 64 * 1024, maxDocBytes: 4 * 1024 * 1024, compactEvery, foldGapMs: 0 },
        quiet,
        undefined,
        relay,
      ),
    async close() {
      await relay.close();
      await connections.close();
    },
    /** Cuts this node off Redis at once, as a killed process would be (no goodbye). */
    cutOff() {
      for (const c of [commands, reader, subscriber]) c.destroy();
    },
  };
}

const moderator = { role: 'moderator', groupId: 'g' } as const;

function join(room: BoardRoom): Client {
  const client = new Client();
  client.hello();
  room.connect(client.socket, moderator);
  return client;
}

const note = (client: Client, id: string) => client.addCard(id, { kind: 'note', authorId: null, text: id, x: 0, y: 0 });
const ids = (doc: Y.Doc) => [...doc.getMap(BoardKey.cards).keys()].sort();

async function until(check: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Two nodes with the board open, a moderator's client on each; `close` takes it all down. */
async function twoNodes(redis: Redis, db: TestDb, sessionId: string, compactEvery = 500) {
  const a = await node(redis, db);
  const b = await node(redis, db);
  const onA = await a.open(sessionId, compactEvery);
  const onB = await b.open(sessionId, compactEvery);
  return {
    a,
    b,
    onA,
    onB,
    ana: join(onA),
    bo: join(onB),
    async close() {
      onA.close(1000, 'done');
      onB.close(1000, 'done');
      await a.close().catch(() => undefined);
      await b.close();
    },
  };
}

describe('the board relay over Redis (PostgreSQL shared by two nodes)', () => {
  let redis: Redis;
  let db: TestDb;
  let sessionId: string;

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    db = await freshDb('postgres');
    const study = await createStudy(db.db, { title: 't', context: { name: 'n', description: '', systemPrompt: '' } });
    const group = await createGroup(db.db, {
      studyId: study.id,
      name: 'g',
      inviteCode: 'ABCDEFGHJK',
      moderatorTokenHash: 'm'.repeat(64),
      analystTokenHash: 'a'.repeat(64),
    });
    sessionId = (await createSession(db.db, group.id, initialSessionState())).id;
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await redis?.stop();
  });

  it('sends what one node stored to the clients of another, cursors too, and stores it once', async () => {
    const nodes = await twoNodes(redis, db, sessionId);
    const { onA, onB, ana, bo } = nodes;
    try {
      note(ana, 'from-a');
      note(bo, 'from-b');
      await until(() => ids(bo.doc).includes('from-a') && ids(ana.doc).includes('from-b'), 'each sees the other');
      expect(ids(onA.doc)).toEqual(['from-a', 'from-b']);
      expect(ids(onB.doc)).toEqual(['from-a', 'from-b']);
      // The accepted board follows too: Bo may move Ana's card (a moderator may), and it arrives.
      bo.change((doc) => doc.getMap<Y.Map<unknown>>(BoardKey.cards).get('from-a')?.set('x', 42));
      await until(() => ana.cards.get('from-a')?.get('x') === 42, 'the move crosses nodes');
      // Presence: Ana's cursor reaches Bo through the other node.
      ana.awareness.setLocalStateField('cursor', { x: 1, y: 2 });
      ana.sendPresence();
      await until(() => [...bo.awareness.getStates().values()].some((s) => s.cursor?.x === 1), 'the cursor crosses');
      // A move: the card and the cursor sent right after it cross in one relay entry (the cursor
      // is not published on its own), the cursor after the card.
      let alone = 0;
      const publishPresence = nodes.a.relay.publishPresence.bind(nodes.a.relay);
      nodes.a.relay.publishPresence = (session, update) => {
        alone += 1;
        publishPresence(session, update);
      };
      const seenAt: { card?: number; cursor?: number } = {};
      bo.socket.onSend = ((deliver) => (message: Uint8Array) => {
        deliver(message);
        const now = performance.now();
        if (seenAt.card === undefined && bo.cards.get('from-a')?.get('x') === 77) seenAt.card = now;
        const cursor = [...bo.awareness.getStates().values()].some((s) => s.cursor?.x === 77);
        if (seenAt.cursor === undefined && cursor) seenAt.cursor = now;
      })(bo.socket.onSend);
      ana.change((doc) => doc.getMap<Y.Map<unknown>>(BoardKey.cards).get('from-a')?.set('x', 77));
      ana.awareness.setLocalStateField('cursor', { x: 77, y: 2 });
      ana.sendPresence();
      await until(() => seenAt.card !== undefined && seenAt.cursor !== undefined, 'the move and its cursor cross');
      expect(alone).toBe(0);
      expect(seenAt.cursor).toBeGreaterThanOrEqual(seenAt.card ?? Number.POSITIVE_INFINITY);
      await onA.flushed();
      await onB.flushed();
      const stored = await loadBoard(db.db, sessionId);
      expect(stored.updates.length).toBeGreaterThanOrEqual(3);
      const fresh = new Y.Doc();
      for (const { update } of stored.updates) Y.applyUpdate(fresh, update);
      expect(ids(fresh)).toEqual(['from-a', 'from-b']);
    } finally {
      await nodes.close();
    }
  });

  it('catches up from storage what was stored while Redis was down', async () => {
    const nodes = await twoNodes(redis, db, sessionId);
    const { onA, ana, bo } = nodes;
    try {
      await redis.down();
      note(ana, 'while-down');
      await onA.flushed();
      expect(ids(bo.doc)).not.toContain('while-down');
      await redis.up();
      await until(() => ids(bo.doc).includes('while-down'), 'the other node catches up', 15_000);
      // And relaying works again.
      note(bo, 'after-restart');
      await until(() => ids(ana.doc).includes('after-restart'), 'fan-out resumes', 15_000);
    } finally {
      await nodes.close();
    }
  }, 40_000);

  it('catches up from storage what a node stored and died before relaying', async () => {
    const nodes = await twoNodes(redis, db, sessionId);
    const { a, onA, ana, bo } = nodes;
    try {
      note(ana, 'heard');
      await until(() => ids(bo.doc).includes('heard'), 'b hears from a');
      // A loses Redis for good (as if killed) just before storing a card it will never relay.
      a.cutOff();
      note(ana, 'stored-then-died');
      await onA.flushed();
      // B notices A stopped beating (three missed beats) and reads storage again.
      await until(() => ids(bo.doc).includes('stored-then-died'), 'b catches up from storage', 10_000);
    } finally {
      await nodes.close();
    }
  }, 30_000);

  it('folds on both nodes without dropping what the other stored', async () => {
    const nodes = await twoNodes(redis, db, sessionId, 10);
    const { onA, onB, ana, bo } = nodes;
    try {
      const expected = ids(ana.doc).length + 120;
      for (let i = 0; i < 60; i++) {
        note(ana, `a${i}`);
        note(bo, `b${i}`);
        if (i % 7 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await until(() => ids(ana.doc).length === expected && ids(bo.doc).length === expected, 'both see all');
      await onA.flushed();
      await onB.flushed();
      await onA.compact(true);
      await onB.compact(true);
      const stored = await loadBoard(db.db, sessionId);
      const fresh = new Y.Doc();
      if (stored.snapshot) Y.applyUpdate(fresh, stored.snapshot.state);
      for (const { update } of stored.updates) Y.applyUpdate(fresh, update);
      expect(ids(fresh)).toEqual(ids(onA.doc));
      expect(ids(fresh)).toHaveLength(expected);
    } finally {
      await nodes.close();
    }
  }, 40_000);
});
