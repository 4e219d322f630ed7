import { initialSessionState } from '@calma/core';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { boardMoments } from '../schema.js';
import { databaseKinds, freshDb } from '../testing/fresh.js';
import { createGroup } from './groups.js';
import {
  appendSessionEvents,
  findBoardMomentAt,
  listBoardMoments,
  listSessionEvents,
  momentPartBytes,
  saveBoardMoment,
} from './replay.js';
import { createSession } from './sessions.js';
import { createStudy } from './studies.js';

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

/** Bytes no two parts share, so a part out of place or lost shows. */
const pattern = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 7 + (i >> 8)) % 251);

describe.each(databaseKinds)('replay storage on %s', (kind) => {
  it('keeps events in time order, ties in the order written', async () => {
    const test = await freshDb(kind);
    try {
      const session = await newSession(test.db);
      const at = new Date(2_000_000_000_000);
      await appendSessionEvents(test.db, session.id, [
        { at, type: 'segment', data: { segment: 2, status: 'running' } },
        { at, type: 'reveal', data: { segment: 1 } },
      ]);
      await appendSessionEvents(test.db, session.id, [{ at: new Date(1_999_000_000_000), type: 'created', data: {} }]);
      expect((await listSessionEvents(test.db, session.id)).map((e) => [e.type, e.data])).toEqual([
        ['created', {}],
        ['segment', { segment: 2, status: 'running' }],
        ['reveal', { segment: 1 }],
      ]);
    } finally {
      await test.close();
    }
  });

  it('writes and reads a large moment in parts, whole, and finds the last one at or before a time', async () => {
    const test = await freshDb(kind);
    try {
      const session = await newSession(test.db);
      const small = pattern(100);
      const large = pattern(3 * momentPartBytes + 123);
      await saveBoardMoment(test.db, session.id, { at: new Date(1_000), reason: 'segment', state: small });
      await saveBoardMoment(test.db, session.id, { at: new Date(2_000), reason: 'interval', state: large });
      expect(await findBoardMomentAt(test.db, session.id, new Date(999))).toBeUndefined();
      expect((await findBoardMomentAt(test.db, session.id, new Date(1_999)))?.state).toEqual(small);
      const found = await findBoardMomentAt(test.db, session.id, new Date(2_000));
      expect(found?.at.getTime()).toBe(2_000);
      expect(found?.state.byteLength).toBe(large.byteLength);
      expect(Buffer.from(found?.state ?? []).equals(Buffer.from(large))).toBe(true);
      expect(await listBoardMoments(test.db, session.id)).toEqual([
        { at: new Date(1_000), reason: 'segment' },
        { at: new Date(2_000), reason: 'interval' },
      ]);
    } finally {
      await test.close();
    }
  });

  it('shows no reader a moment cut short while written, and clears it at the next write', async () => {
    const test = await freshDb(kind);
    try {
      const session = await newSession(test.db);
      // A write cut short after its first part: the row sits at the far-future mark.
      const writing = new Date('9999-12-31T00:00:00Z');
      await test.db
        .insert(boardMoments)
        .values({ sessionId: session.id, at: writing, reason: 'end', state: pattern(10) });
      expect(await listBoardMoments(test.db, session.id)).toEqual([]);
      expect(await findBoardMomentAt(test.db, session.id, new Date(253_402_300_799_000))).toBeUndefined();
      await saveBoardMoment(test.db, session.id, {
        at: new Date(5_000),
        reason: 'end',
        state: pattern(momentPartBytes + 1),
      });
      const rows = await test.db.select().from(boardMoments).where(eq(boardMoments.sessionId, session.id));
      expect(rows.map((r) => [r.at.getTime(), r.state.byteLength])).toEqual([[5_000, momentPartBytes + 1]]);
    } finally {
      await test.close();
    }
  });
});
