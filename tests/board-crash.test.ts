import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { boardJournalDir, decodeSegment } from '@calma/db';
import { freshDb } from '@calma/db/testing/fresh';
import { beforeAll, describe, expect, it } from 'vitest';
import { addCard, boardClient, until } from './support/board-clients.js';
import { adminToken, api, buildServer, type Running, startServer, stop } from './support/child-server.js';

/**
 * Zero accepted board updates lost when the server is killed mid-edit: whatever a peer received
 * (the server broadcasts only what it has stored) must be on the board after a restart.
 */
beforeAll(() => {
  const build = buildServer();
  expect(build.status, build.stderr).toBe(0);
});

async function setUp(server: Running) {
  const post = (path: string, body: unknown, token = adminToken) =>
    api(server, path, { method: 'POST', body: JSON.stringify(body), headers: { authorization: `Bearer ${token}` } });
  const study = await post('/api/studies', {
    title: 'Crash',
    context: { name: 'n', description: '', systemPrompt: '' },
  });
  const group = (await post(`/api/studies/${study.body.id}/groups`, { name: 'G' })).body as Record<string, string>;
  const joined = async (name: string) =>
    (await post('/api/join', { inviteCode: group.inviteCode, displayName: name, consent: true })).body as Record<
      string,
      string
    >;
  const writer = await joined('Writer');
  const reader = await joined('Reader');
  const moderatorToken = group.moderatorToken as string;
  const session = (await post(`/api/groups/${group.id}/sessions`, {}, moderatorToken)).body as { id: string };
  await post(
    `/api/sessions/${session.id}/control`,
    { action: 'start', segment: 2, durationMs: 3_600_000 },
    moderatorToken,
  );
  return { sessionId: session.id, writer, reader, moderatorToken };
}

describe.each(['pglite', 'postgres'] as const)('a board killed mid-edit on %s', (kind) => {
  it('keeps every update a peer received, after SIGKILL and a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'calma-crash-'));
    const db = kind === 'postgres' ? await freshDb('postgres') : null;
    const env = {
      CALMA_DATA_DIR: dataDir,
      CALMA_ADMIN_TOKEN: adminToken,
      CALMA_SEED_DEMO: '0',
      ...(db ? { DATABASE_URL: db.url as string } : {}),
    };
    try {
      const server = await startServer(env);
      const { sessionId, writer, reader, moderatorToken } = await setUp(server);
      const a = await boardClient(server.url, sessionId, writer.token as string);
      const b = await boardClient(server.url, sessionId, reader.token as string);
      let written = 0;
      // Edits keep coming while the server dies: some are stored and relayed, some never are.
      const writing = setInterval(() => {
        for (let i = 0; i < 5; i++) {
          addCard(a, `card-${written}`, {
            kind: 'note',
            text: `edit ${written}`,
            x: written,
            y: 0,
            authorId: writer.participantId,
          });
          written += 1;
        }
      }, 2);
      await until(() => b.cards.size >= 150, 'the reader to receive 150 cards');
      await stop(server, 'SIGKILL');
      clearInterval(writing);
      const received = Object.keys(b.cards.toJSON());
      a.destroy();
      b.destroy();
      // On PGlite a commit is a write to the board journal, moved into the table later (within
      // two seconds): the kill comes while it holds some, which the restart must store.
      if (kind === 'pglite') {
        const journal = join(dataDir, 'pglite', boardJournalDir);
        const journaled = readdirSync(journal).reduce(
          (n, name) => n + decodeSegment(readFileSync(join(journal, name))).length,
          0,
        );
        console.log(`[${kind}] updates in the board journal at the kill: ${journaled}`);
        expect(journaled).toBeGreaterThan(0);
      }

      const again = await startServer(env);
      try {
        const c = await boardClient(again.url, sessionId, moderatorToken);
        const kept = new Set(c.cards.keys());
        const lost = received.filter((id) => !kept.has(id));
        console.log(`[${kind}] written ${written}, received by the peer ${received.length}, lost ${lost.length}`);
        expect(lost).toEqual([]);
        c.destroy();
      } finally {
        await stop(again);
      }
    } finally {
      await db?.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
