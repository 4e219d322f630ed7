import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardJournal, crc32, decodeSegment } from './board-journal.js';
import { newId } from './ids.js';
import { appendBoardUpdates, loadBoard } from './repositories/board.js';
import { boardUpdates } from './schema.js';
import { freshDb } from './testing/fresh.js';
import type { TestDb } from './testing/index.js';

/** The board journal is PGlite's (PostgreSQL commits straight into the table): PGlite only. */
describe('BoardJournal on pglite', () => {
  let test: TestDb;
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'calma-journal-'));
    dirs.push(dir);
    return dir;
  };
  const stored = (sessionId: string) =>
    test.db.select().from(boardUpdates).where(eq(boardUpdates.sessionId, sessionId)).orderBy(asc(boardUpdates.seq));
  const segments = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.log'));
  const rows = (sessionId: string, ...bytes: number[]) =>
    bytes.map((b) => ({ sessionId, update: new Uint8Array([b, 0, 255, 92]) }));

  beforeAll(async () => {
    test = await freshDb('pglite');
  });
  afterAll(async () => {
    await test.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is the database’s own on PGlite: its board store commits there', () => {
    expect(test.boardJournal).toBeInstanceOf(BoardJournal);
  });

  it('writes a commit to a segment at once and moves it into the table on flush, in order', async () => {
    const dir = tempDir();
    const journal = await BoardJournal.open(test.query, dir, { moveAfterMs: 60_000 });
    const sessionId = newId('s');
    const before = Date.now();
    const seqs = await journal.append(rows(sessionId, 1, 2, 3));
    expect(seqs[1]).toBe((seqs[0] as number) + 1);
    expect(seqs[2]).toBe((seqs[0] as number) + 2);
    expect(segments(dir)).toHaveLength(1);
    expect(decodeSegment(readFileSync(join(dir, segments(dir)[0] as string))).map((r) => r.seq)).toEqual(seqs);
    expect(await stored(sessionId)).toEqual([]);
    expect(journal.waiting).toBe(3);

    await journal.flush();
    const inTable = await stored(sessionId);
    expect(inTable.map((r) => r.seq)).toEqual(seqs);
    expect(inTable.map((r) => [...r.update])).toEqual([1, 2, 3].map((b) => [b, 0, 255, 92]));
    // created_at is when the update was accepted, which replay reads, not when it moved.
    for (const r of inTable) {
      expect(r.createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(r.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    }
    expect(segments(dir)).toEqual([]);
    expect(journal.waiting).toBe(0);
    await journal.close();
    await expect(journal.append(rows(sessionId, 4))).rejects.toThrow(/closed/);
  });

  it('moves by itself after moveAfterMs, and at once when moveAtRecords wait', async () => {
    const timed = await BoardJournal.open(test.query, tempDir(), { moveAfterMs: 30 });
    const a = newId('s');
    await timed.append(rows(a, 1));
    expect(await stored(a)).toHaveLength(0);
    for (let i = 0; i < 100 && (await stored(a)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await stored(a)).toHaveLength(1);
    await timed.close();

    const counted = await BoardJournal.open(test.query, tempDir(), { moveAfterMs: 60_000, moveAtRecords: 5 });
    const b = newId('s');
    await counted.append(rows(b, 1, 2));
    await counted.append(rows(b, 3, 4, 5));
    for (let i = 0; i < 100 && (await stored(b)).length < 5; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await stored(b)).map((r) => r.update[0])).toEqual([1, 2, 3, 4, 5]);
    await counted.close();
  });

  it('moves into the table on open what a killed process left, once, and numbers on after it', async () => {
    const dir = tempDir();
    const killed = await BoardJournal.open(test.query, dir, { moveAfterMs: 60_000 });
    const sessionId = newId('s');
    const first = await killed.append(rows(sessionId, 1, 2));
    // A second segment, as after a move that ran; then one the move had not reached.
    await killed.flush();
    const second = await killed.append(rows(sessionId, 3));
    const third = await killed.append(rows(sessionId, 4));
    expect(segments(dir)).toHaveLength(1);
    // The process dies here: nothing closes `killed`. A frame cut short by the kill ends the segment.
    appendFileSync(join(dir, segments(dir)[0] as string), Buffer.from([40, 0, 0, 0, 1, 2]));

    const reopened = await BoardJournal.open(test.query, dir, { moveAfterMs: 60_000 });
    expect(reopened.recovered).toBe(2);
    expect(segments(dir)).toEqual([]);
    expect((await stored(sessionId)).map((r) => r.seq)).toEqual([...first, ...second, ...third]);
    const next = await reopened.append(rows(sessionId, 5));
    expect(next[0]).toBeGreaterThan(third[0] as number);
    await reopened.flush();
    expect((await stored(sessionId)).map((r) => r.update[0])).toEqual([1, 2, 3, 4, 5]);
    await reopened.close();
  });

  it('opens again after a kill between a move and the deletion of its segment, storing nothing twice', async () => {
    const dir = tempDir();
    const journal = await BoardJournal.open(test.query, dir, { moveAfterMs: 60_000 });
    const sessionId = newId('s');
    await journal.append(rows(sessionId, 1, 2));
    const name = segments(dir)[0] as string;
    const bytes = readFileSync(join(dir, name));
    await journal.flush();
    writeFileSync(join(dir, name), bytes);
    const reopened = await BoardJournal.open(test.query, dir);
    expect(reopened.recovered).toBe(2);
    expect((await stored(sessionId)).map((r) => r.update[0])).toEqual([1, 2]);
    await reopened.close();
  });

  it('keeps numbers apart from rows stored straight into the table meanwhile', async () => {
    const journal = await BoardJournal.open(test.query, tempDir(), { moveAfterMs: 60_000, seqBlock: 3 });
    const sessionId = newId('s');
    const seqs: number[] = [];
    for (let i = 0; i < 4; i++) {
      seqs.push(...(await journal.append(rows(sessionId, i))));
      seqs.push(...(await appendBoardUpdates(test, rows(sessionId, 100 + i))));
    }
    // Several blocks taken along the way (three numbers each), none handed out twice.
    seqs.push(...(await journal.append(rows(sessionId, 4, 5, 6, 7, 8))));
    expect(new Set(seqs).size).toBe(seqs.length);
    await journal.flush();
    expect((await stored(sessionId)).length).toBe(seqs.length);
    await journal.close();
  });

  it('drops what a committed fold holds: it never reaches the table, and its segment goes', async () => {
    const dir = tempDir();
    const journal = await BoardJournal.open(test.query, dir, { moveAfterMs: 60_000 });
    const folded = newId('s');
    const other = newId('s');
    const first = await journal.append([...rows(folded, 1, 2), ...rows(other, 9)]);
    await journal.append(rows(folded, 3));
    // A move seals the segment; the next appends open another.
    await journal.flush();
    const later = await journal.append(rows(folded, 4, 5));
    journal.forget(folded, later[0] as number);
    expect(journal.waiting).toBe(1);
    // Only updates a fold dropped left in the segment being written: flushing still removes it.
    journal.forget(folded, later[1] as number);
    expect(journal.waiting).toBe(0);
    expect(segments(dir)).toHaveLength(1);
    await journal.flush();
    expect(segments(dir)).toEqual([]);
    expect((await stored(folded)).map((r) => r.update[0])).toEqual([1, 2, 3]);
    expect((await stored(other)).map((r) => r.seq)).toEqual([first[2]]);
    await journal.close();
  });

  it('on PGlite in memory, keeps its updates in memory until they move', async () => {
    const journal = await BoardJournal.open(test.query, null, { moveAfterMs: 60_000 });
    const sessionId = newId('s');
    await journal.append(rows(sessionId, 7));
    expect(journal.waiting).toBe(1);
    await journal.flush();
    expect((await loadBoard(test.db, sessionId)).updates.map((u) => [...u.update])).toEqual([[7, 0, 255, 92]]);
    await journal.close();
  });

  it('fails a commit it could not write, and takes the next one', async () => {
    const dir = tempDir();
    const journal = await BoardJournal.open(test.query, dir, { moveAfterMs: 60_000 });
    const sessionId = newId('s');
    await journal.append(rows(sessionId, 1));
    await journal.flush();
    // The next segment cannot be created while its folder is gone.
    rmSync(dir, { recursive: true });
    await expect(journal.append(rows(sessionId, 2))).rejects.toThrow(/ENOENT/);
    expect(journal.waiting).toBe(0);
    mkdirSync(dir);
    await journal.append(rows(sessionId, 3));
    await journal.close();
    expect((await stored(sessionId)).map((r) => r.update[0])).toEqual([1, 3]);
  });
});

describe('decodeSegment', () => {
  it('reads frames up to the first that does not check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calma-journal-'));
    try {
      const journal = await BoardJournal.open(async () => [{ last: 10 }], dir, { seqBlock: 10, moveAfterMs: 60_000 });
      await journal.append([{ sessionId: 'ä-session', update: new Uint8Array([1, 2, 3]) }]);
      await journal.append([{ sessionId: 'b', update: new Uint8Array(0) }]);
      const bytes = readFileSync(join(dir, readdirSync(dir)[0] as string));
      const all = decodeSegment(bytes);
      expect(all.map((r) => [r.seq, r.sessionId, [...r.update]])).toEqual([
        [1, 'ä-session', [1, 2, 3]],
        [2, 'b', []],
      ]);
      // A flipped byte in the first frame's payload: nothing after it is trusted.
      const flipped = Buffer.from(bytes);
      flipped[12] = (flipped[12] as number) ^ 1;
      expect(decodeSegment(flipped)).toEqual([]);
      // A frame cut short.
      expect(decodeSegment(bytes.subarray(0, bytes.length - 1))).toHaveLength(1);
      expect(decodeSegment(new Uint8Array(0))).toEqual([]);
      await journal.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks with CRC-32 as zlib computes it', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
