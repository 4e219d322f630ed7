import { describe, expect, it } from 'vitest';
import { databaseKinds, freshDb } from '../testing/fresh.js';
import { appendBoardUpdates, loadBoard } from './board.js';
import { createGroup } from './groups.js';
import { createSession } from './sessions.js';
import { createStudy } from './studies.js';

describe.each(databaseKinds)('board updates on %s', (kind) => {
  it('appends a flood of tiny updates in statements under the bind-parameter limit, in order', async () => {
    const test = await freshDb(kind);
    try {
      const { db } = test;
      const study = await createStudy(db, { title: 't', context: { name: 'n', description: '', systemPrompt: '' } });
      const group = await createGroup(db, {
        studyId: study.id,
        name: 'g',
        inviteCode: 'ABCDEFGHJK',
        moderatorTokenHash: 'm'.repeat(64),
        analystTokenHash: 'a'.repeat(64),
      });
      const session = await createSession(db, group.id, {
        segment: 0,
        status: 'pending',
        startedAt: null,
        endsAt: null,
        pausedRemainingMs: null,
        durationMs: null,
        revealed: [],
        boardLocked: false,
        speakers: { order: [], current: null, turnMs: 120_000, turnEndsAt: null, turnRemainingMs: null },
        endedAt: null,
      });
      // 40,000 rows would be 80,000 parameters in one statement: PostgreSQL refuses past 65,535.
      const count = 40_000;
      const rows = Array.from({ length: count }, (_, i) => ({
        sessionId: session.id,
        update: new Uint8Array([i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff]),
      }));
      const seqs = await appendBoardUpdates(test, rows);
      expect(seqs).toHaveLength(count);
      expect(seqs.every((seq, i) => i === 0 || seq > (seqs[i - 1] as number))).toBe(true);
      const stored = await loadBoard(db, session.id);
      expect(stored.updates).toHaveLength(count);
      expect([...(stored.updates.at(-1)?.update ?? [])]).toEqual([...(rows.at(-1)?.update ?? [])]);
    } finally {
      await test.close();
    }
  });
});
