import { initialSessionState } from '@calma/core';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { boardSnapshotParts, boardSnapshots } from '../schema.js';
import { databaseKinds, freshDb } from '../testing/fresh.js';
import { appendBoardUpdates, compactBoard, loadBoard, snapshotPartBytes } from './board.js';
import { createGroup } from './groups.js';
import { createSession } from './sessions.js';
import { createStudy } from './studies.js';

/** A study, group and session to hang a board on. */
async function newSession(db: Parameters<typeof createStudy>[0]) {
  const study = await createStudy(db, { title: 't', context: { name: 'n', description: '', systemPrompt: '' } });
  const group = await createGroup(db, {
    studyId: study.id,
    name: 'g',
    inviteCode: 'ABCDEFGHJK',
    moderatorTokenHash: 'm'.repeat(64),
    analystTokenHash: 'a'.repeat(64),
  });
  return createSession(db, group.id, initialSessionState());
}

describe.each(databaseKinds)('board storage on %s', (kind) => {
  it('folds updates into a snapshot written in parts, and reads it back whole', async () => {
    const test = await freshDb(kind);
    try {
      const { db } = test;
      const session = await newSession(db);
      const seqs = await appendBoardUpdates(
        test,
        Array.from({ length: 5 }, (_, i) => ({ sessionId: session.id, update: new Uint8Array([i]) })),
      );
      const state = new Uint8Array(3 * snapshotPartBytes + 123).map((_, i) => (i * 7) % 256);
      await compactBoard(db, session.id, state, seqs[2] as number);
      let stored = await loadBoard(db, session.id);
      expect(stored.snapshot?.upToSeq).toBe(seqs[2]);
      expect(Buffer.compare(Buffer.from(stored.snapshot?.state ?? []), Buffer.from(state))).toBe(0);
      expect(stored.updates.map((u) => u.seq)).toEqual(seqs.slice(3));
      const parts = () => db.select().from(boardSnapshotParts).where(eq(boardSnapshotParts.sessionId, session.id));
      expect(await parts()).toHaveLength(4);
      // The next fold replaces the snapshot and drops the previous parts.
      const next = new Uint8Array(10).fill(9);
      await compactBoard(db, session.id, next, seqs[4] as number);
      stored = await loadBoard(db, session.id);
      expect([...(stored.snapshot?.state ?? [])]).toEqual([...next]);
      expect(stored.updates).toEqual([]);
      expect(await parts()).toHaveLength(1);
    } finally {
      await test.close();
    }
  });

  it('still reads a snapshot stored whole, as boards compacted before parts were', async () => {
    const test = await freshDb(kind);
    try {
      const { db } = test;
      const session = await newSession(db);
      await db.insert(boardSnapshots).values({ sessionId: session.id, state: new Uint8Array([1, 2, 3]), upToSeq: 0 });
      expect([...((await loadBoard(db, session.id)).snapshot?.state ?? [])]).toEqual([1, 2, 3]);
    } finally {
      await test.close();
    }
  });

  it('appends a flood of tiny updates in statements under the bind-parameter limit, in order', async () => {
    const test = await freshDb(kind);
    try {
      const { db } = test;
      const session = await newSession(db);
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
