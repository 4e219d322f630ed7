import { schema } from '@calma/db';
import { databaseKinds } from '@calma/db/testing/fresh';
import { createGroup, join, startSession, startTestApp, type TestApp } from '@calma/server/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCard, type BoardClient, boardClient, roundTrip, until } from './support/board-clients.js';

/** Compaction into snapshots, and presence (awareness) that only writers share. */
describe.each(databaseKinds)('board storage and presence on %s', (kind) => {
  let t: TestApp;
  let sessionId: string;
  let tokens: { moderator: string; analyst: string; ana: string; anaId: string; bo: string };
  const clients: BoardClient[] = [];
  const connect = async (token: string) => {
    const client = await boardClient(t.url, sessionId, token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await startTestApp(kind, { listen: true, boardCompactEvery: 20 });
    const group = await createGroup(t);
    const ana = await join(t, group.inviteCode, 'Ana');
    const bo = await join(t, group.inviteCode, 'Bo');
    tokens = {
      moderator: group.moderatorToken,
      analyst: group.analystToken,
      ana: ana.token,
      anaId: ana.participantId,
      bo: bo.token,
    };
    sessionId = await startSession(t, group.id, group.moderatorToken);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await t.close();
  });

  it('folds stored updates into a snapshot and restores the board exactly from it', async () => {
    const a = await connect(tokens.ana);
    const b = await connect(tokens.moderator);
    for (let i = 0; i < 50; i++) {
      addCard(a, `c${i}`, { kind: 'note', text: `n${i}`, x: i, y: 0, authorId: tokens.anaId });
      a.cards.get(`c${i}`)?.set('x', i * 10);
    }
    await until(() => b.cards.get('c49')?.get('x') === 490, 'every edit to arrive');
    // Compaction runs after a commit, in a worker and then a few statements between commits: wait
    // for the folded updates to be gone (for at most 10 s; the assertions below then fail).
    const stored = async () => {
      const snapshots = await t.db.db
        .select()
        .from(schema.boardSnapshots)
        .where(eq(schema.boardSnapshots.sessionId, sessionId));
      const left = await t.db.db.select().from(schema.boardUpdates).where(eq(schema.boardUpdates.sessionId, sessionId));
      return { snapshots, left };
    };
    for (let waited = 0; waited < 10_000; waited += 50) {
      const { snapshots, left } = await stored();
      if (snapshots.length === 1 && left.length < 20) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { snapshots, left } = await stored();
    expect(snapshots).toHaveLength(1);
    expect(left.length).toBeLessThan(20);
    expect(left.every((u) => u.seq > (snapshots[0]?.upToSeq ?? 0))).toBe(true);

    const expected = b.cards.toJSON();
    for (const client of clients.splice(0)) client.destroy();
    // A restarted app loads the snapshot plus the updates after it.
    await t.app.close();
    const { buildApp } = await import('@calma/server');
    const { hashToken } = await import('@calma/server/testing');
    t.app = await buildApp(
      { logLevel: 'silent', bodyLimit: 1 << 20, joinRateLimit: 1000, webDir: null, boardCompactEvery: 20 },
      { db: t.db, adminTokenHash: hashToken(t.adminToken), version: 'test' },
    );
    await t.app.listen({ host: '127.0.0.1', port: Number(new URL(t.url).port) });
    const reader = await connect(tokens.analyst);
    expect(reader.cards.toJSON()).toEqual(expected);
  });

  it("relays writers' presence and drops read-only clients' presence", async () => {
    const ana = await connect(tokens.ana);
    const bo = await connect(tokens.bo);
    const analyst = await connect(tokens.analyst);
    const moderator = await connect(tokens.moderator);
    ana.provider.awareness.setLocalStateField('user', { name: 'Ana' });
    analyst.provider.awareness.setLocalStateField('user', { name: 'Analyst' });
    const names = (c: BoardClient) =>
      [...c.provider.awareness.getStates().values()].map((s) => (s.user as { name?: string } | undefined)?.name);
    await until(() => names(bo).includes('Ana') && names(analyst).includes('Ana'), 'Ana’s presence');
    // The server answers nothing to a presence it drops: a round trip on the analyst's socket shows
    // it has handled the analyst's presence. The moderator's presence, sent after that, is the
    // sentinel: the server relays presence in the order it handles it, so whoever has the
    // moderator's would already have the analyst's, had it been relayed.
    await roundTrip(analyst);
    moderator.provider.awareness.setLocalStateField('user', { name: 'Moderator' });
    await until(() => names(bo).includes('Moderator') && names(ana).includes('Moderator'), 'the sentinel presence');
    expect(names(bo)).not.toContain('Analyst');
    expect(names(ana)).not.toContain('Analyst');
  });
});
