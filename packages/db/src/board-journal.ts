import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { StatementParam } from './pglite-statements.js';

/** A board update in the journal: what `board_updates` will hold once it is moved there. */
interface JournalRecord {
  readonly seq: number;
  readonly sessionId: string;
  readonly update: Uint8Array;
  /** When it was accepted (epoch ms): its `created_at`, which replay reads. */
  readonly at: number;
}

/** The driver's statement function ({@link Db.query}). */
type Query = (text: string, params: readonly StatementParam[]) => Promise<Record<string, unknown>[]>;

/** When and how much the journal moves into `board_updates`. */
export interface BoardJournalOptions {
  /**
   * The longest an update stays in the journal only, in ms (default 2,000: longer than a busy
   * board's fold gap, so that its folds drop most of its updates before they would move).
   */
  readonly moveAfterMs?: number;
  /** Updates waiting that start a move at once (default 8,192). */
  readonly moveAtRecords?: number;
  /** Sequence numbers taken from `board_updates`' sequence at a time (default 4096). */
  readonly seqBlock?: number;
}

/**
 * Rows per INSERT of a move, largest first: any move is at most one statement of each (a
 * statement's fixed cost on PGlite is most of a small one's), and each is prepared once.
 */
const moveChunks = [256, 128, 64, 32, 16, 8, 4, 2, 1] as const;

/** What a segment file is called: its number, zero-padded so that names sort in order. */
const segmentName = (n: number) => `${String(n).padStart(12, '0')}.log`;

/**
 * The embedded database's board journal. On PGlite an INSERT runs PostgreSQL in WebAssembly on the
 * event loop: 0.1–0.7 ms of the main thread for every commit of a board, which every broadcast
 * waits for. Here a commit is one `write()` of its updates, framed and checksummed, to a file
 * beside the database (a segment under `<data dir>/calma-board-journal/`), and the update counts as
 * stored once that returns: as durable as PGlite's own commit, which writes its WAL to the same
 * page cache without fsync (it survives the process being killed, not the machine losing power).
 * Batches then move into `board_updates` off the broadcast path (at most `moveAfterMs` later, or
 * once `moveAtRecords` wait), a few multi-row INSERTs each, and a segment is deleted once every
 * update of it is in the table. Reading a board goes through {@link flush} first. A busy board is
 * folded into a snapshot more often than its updates move: the fold drops the updates it holds
 * ({@link forget}), which never reach the table, where they would only have been deleted.
 *
 * Sequence numbers are handed out from blocks taken from the table's own sequence, so the order
 * of a board's updates is the order they were accepted, and they are the numbers the table keeps.
 * {@link BoardJournal.open} moves what a killed process left in the journal before anything reads
 * the database (an INSERT that does nothing for a row a move stored before the kill). Without a
 * directory (PGlite in memory) the journal keeps its updates in memory only, as the database does.
 */
export class BoardJournal {
  /** Updates in the segment being written, not moving yet. */
  private pending: JournalRecord[] = [];
  /** Segments closed for writing whose updates are not all in the table yet, oldest first. */
  private readonly sealed: { path: string | null; records: JournalRecord[] }[] = [];
  private fd: number | null = null;
  /** The segment being written, its number, and its length in bytes. */
  private segment: number;
  private size = 0;
  /** Sequence numbers taken from the table's sequence and not handed out yet: ranges, in order. */
  private readonly ranges: [first: number, last: number][] = [];
  private available = 0;
  /** The least the next block may start at: past every number the journal has seen. */
  private floor = 1;
  private reserving: Promise<void> | null = null;
  private moving: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private broken: Error | null = null;
  private closed = false;
  private readonly moveAfterMs: number;
  private readonly moveAtRecords: number;
  private readonly seqBlock: number;

  private constructor(
    private readonly query: Query,
    private readonly dir: string | null,
    firstSegment: number,
    /** Updates a killed process left in the journal, moved into the table on open. */
    readonly recovered: number,
    floor: number,
    options: BoardJournalOptions,
  ) {
    this.segment = firstSegment;
    this.floor = floor;
    this.moveAfterMs = Math.max(0, options.moveAfterMs ?? 2_000);
    this.moveAtRecords = Math.max(1, options.moveAtRecords ?? 8_192);
    this.seqBlock = Math.max(1, options.seqBlock ?? 4096);
  }

  /**
   * Opens the journal in `dir` (made when missing; null keeps it in memory), first moving into
   * `board_updates` every update a previous process left there, segment by segment. A segment's
   * last frame cut short by a crash mid-write (its checksum or length wrong) and what follows it
   * are dropped: that write never returned, so nothing was broadcast from it.
   */
  static async open(query: Query, dir: string | null, options: BoardJournalOptions = {}): Promise<BoardJournal> {
    let recovered = 0;
    let floor = 1;
    let next = 1;
    if (dir !== null) {
      mkdirSync(dir, { recursive: true });
      const segments = readdirSync(dir)
        .filter((name) => /^\d{12}\.log$/.test(name))
        .sort();
      for (const name of segments) {
        const records = decodeSegment(readFileSync(join(dir, name)));
        await insertRecords(query, records);
        recovered += records.length;
        for (const record of records) floor = Math.max(floor, record.seq + 1);
        unlinkSync(join(dir, name));
        next = Math.max(next, Number(name.slice(0, 12)) + 1);
      }
    }
    return new BoardJournal(query, dir, next, recovered, floor, options);
  }

  /** Updates accepted and not in `board_updates` yet (for tests and figures). */
  get waiting(): number {
    return this.pending.length + this.sealed.reduce((n, s) => n + s.records.length, 0);
  }

  /**
   * Stores `rows` (one board commit, any number of boards) and resolves with their sequence
   * numbers, in order, once they are written. Rejects when the write fails, leaving the journal
   * as it was before it.
   */
  async append(rows: readonly { sessionId: string; update: Uint8Array }[]): Promise<number[]> {
    this.check();
    while (this.available < rows.length) await this.reserve(rows.length);
    this.check();
    const at = Date.now();
    const seqs = this.take(rows.length);
    const records = rows.map((row, i) => ({
      seq: seqs[i] as number,
      sessionId: row.sessionId,
      update: row.update,
      at,
    }));
    // A failed write leaves its numbers unused: a gap in the sequence, as a failed INSERT leaves.
    if (this.dir !== null) this.write(encodeRecords(records));
    for (const record of records) this.pending.push(record);
    // The next block is taken before this one runs out, so that appends seldom wait for it.
    if (this.available < this.seqBlock / 2) void this.reserve(0).catch(() => undefined);
    this.scheduleMove();
    return records.map((record) => record.seq);
  }

  /**
   * Drops the updates of `sessionId` up to `upToSeq` that have not moved yet: a fold whose
   * snapshot holds them has committed, so the table need not get them (it would delete them next).
   * A move already under way may still store some; the fold's delete, or the next, removes them.
   * Until their segment is deleted they are still in it, and a crash moves them in again: read
   * again for nothing, as a fold's leftovers are.
   */
  forget(sessionId: string, upToSeq: number): void {
    const kept = (records: JournalRecord[]) =>
      records.filter((record) => record.sessionId !== sessionId || record.seq > upToSeq);
    this.pending = kept(this.pending);
    for (const segment of this.sealed) segment.records = kept(segment.records);
  }

  /** Moves every update accepted so far into `board_updates` (before anything reads the table). */
  async flush(): Promise<void> {
    while (this.moving || this.unsettled) await (this.moving ?? this.move());
  }

  /** Whether a segment is open or waits to move (it may hold only updates a fold dropped). */
  private get unsettled(): boolean {
    return this.pending.length > 0 || this.sealed.length > 0 || this.fd !== null;
  }

  /**
   * Moves what waits and closes the segment; appends after this fail. When the move fails, what
   * waited stays in the segments, for the next open.
   */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
    }
  }

  private check(): void {
    if (this.closed) throw new Error('The board journal is closed');
    if (this.broken) throw this.broken;
  }

  /**
   * Writes one commit's frames at the end of the segment. A failed write is cut off again, so the
   * next commit's frames never follow a torn one (a reader stops at the first bad frame); if even
   * that fails the journal takes no more updates.
   */
  private write(bytes: Uint8Array): void {
    if (this.fd === null) {
      this.fd = openSync(join(this.dir as string, segmentName(this.segment)), 'a');
      this.size = 0;
    }
    try {
      for (let done = 0; done < bytes.byteLength; ) done += writeSync(this.fd, bytes, done, bytes.byteLength - done);
    } catch (err) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        this.broken = new Error('The board journal could not undo a failed write', { cause: err });
      }
      throw err;
    }
    this.size += bytes.byteLength;
  }

  /**
   * Takes the next block of sequence numbers (at least `atLeast`) from `board_updates`' sequence
   * in one statement, past every number this journal has seen. One statement at a time.
   */
  private reserve(atLeast: number): Promise<void> {
    if (!this.reserving) {
      const count = Math.max(this.seqBlock, atLeast);
      this.reserving = this.query(
        `SELECT setval(pg_get_serial_sequence('board_updates', 'seq'),
           greatest(nextval(pg_get_serial_sequence('board_updates', 'seq')), $1::bigint) + $2::bigint - 1) AS last`,
        [String(this.floor), String(count)],
      )
        .then(([row]) => {
          const last = Number(row?.last);
          this.ranges.push([last - count + 1, last]);
          this.available += count;
          this.floor = last + 1;
        })
        .finally(() => {
          this.reserving = null;
        });
    }
    return this.reserving;
  }

  /** Hands out the next `count` sequence numbers (there are as many available). */
  private take(count: number): number[] {
    const seqs: number[] = [];
    while (seqs.length < count) {
      const range = this.ranges[0] as [number, number];
      seqs.push(range[0]);
      if (range[0] === range[1]) this.ranges.shift();
      else range[0]++;
    }
    this.available -= count;
    return seqs;
  }

  /** Arranges the next move: now when `moveAtRecords` wait, else `moveAfterMs` from the first. */
  private scheduleMove(): void {
    if (this.moving || this.closed) return;
    const due = this.waiting >= this.moveAtRecords ? 0 : this.moveAfterMs;
    if (this.timer && due > 0) return;
    if (this.timer) clearTimeout(this.timer);
    // Unreferenced: a process may exit with updates waiting, which are in the segments (or,
    // in memory, go with the database).
    this.timer = setTimeout(() => {
      this.timer = null;
      this.move().catch(() => undefined);
    }, due);
    this.timer.unref();
  }

  /**
   * Closes the segment being written and moves every sealed segment into the table, oldest first,
   * deleting each once its updates are in. On failure the updates stay (in memory and on disk)
   * for the next try, `moveAfterMs` later or at the next {@link flush}, which then fails too.
   */
  private move(): Promise<void> {
    if (this.moving) return this.moving;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length > 0 || this.fd !== null) {
      this.sealed.push({
        path: this.dir === null ? null : join(this.dir, segmentName(this.segment)),
        records: this.pending,
      });
      this.pending = [];
      if (this.fd !== null) closeSync(this.fd);
      this.fd = null;
      this.segment++;
    }
    this.moving = (async () => {
      try {
        while (this.sealed.length > 0) {
          const oldest = this.sealed[0] as { path: string | null; records: JournalRecord[] };
          await insertRecords(this.query, oldest.records);
          if (oldest.path !== null) unlinkSync(oldest.path);
          this.sealed.shift();
        }
      } finally {
        this.moving = null;
        if (this.unsettled) this.scheduleMove();
      }
    })();
    return this.moving;
  }
}

/** Inserts journal records into `board_updates` (skipping any already there), a chunk at a time. */
async function insertRecords(query: Query, records: readonly JournalRecord[]): Promise<void> {
  let start = 0;
  while (start < records.length) {
    const size = moveChunks.find((n) => n <= records.length - start) ?? 1;
    const chunk = records.slice(start, start + size);
    const values = chunk.map(
      (_, i) => `($${4 * i + 1}::bigint, $${4 * i + 2}, $${4 * i + 3}, $${4 * i + 4}::timestamptz)`,
    );
    await query(
      `INSERT INTO board_updates (seq, session_id, "update", created_at) VALUES ${values.join(', ')} ON CONFLICT (seq) DO NOTHING`,
      chunk.flatMap((r) => [String(r.seq), r.sessionId, r.update, new Date(r.at).toISOString()]),
    );
    start += size;
    // The event loop runs between chunks: a move never holds it for long.
    if (start < records.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * A frame: payload length (u32), CRC-32 of the payload (u32), payload. The payload: sequence
 * number and time accepted (float64 each, exact for integers below 2^53), the session id's length
 * (u16) and UTF-8 bytes, then the update.
 */
const frameHeader = 8;
const payloadHeader = 18;

function encodeRecords(records: readonly JournalRecord[]): Uint8Array {
  const ids = records.map((r) => Buffer.from(r.sessionId, 'utf8'));
  let total = 0;
  for (const [i, r] of records.entries())
    total += frameHeader + payloadHeader + (ids[i]?.byteLength ?? 0) + r.update.byteLength;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const [i, r] of records.entries()) {
    const id = ids[i] as Buffer;
    const length = payloadHeader + id.byteLength + r.update.byteLength;
    const payload = at + frameHeader;
    out.writeDoubleLE(r.seq, payload);
    out.writeDoubleLE(r.at, payload + 8);
    out.writeUInt16LE(id.byteLength, payload + 16);
    id.copy(out, payload + payloadHeader);
    out.set(r.update, payload + payloadHeader + id.byteLength);
    out.writeUInt32LE(length, at);
    out.writeUInt32LE(crc32(out.subarray(payload, payload + length)), at + 4);
    at = payload + length;
  }
  return out;
}

/** The records of a segment, up to the first frame that is cut short or does not check. */
export function decodeSegment(bytes: Uint8Array): JournalRecord[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: JournalRecord[] = [];
  for (let at = 0; at + frameHeader <= buf.byteLength; ) {
    const length = buf.readUInt32LE(at);
    const payload = at + frameHeader;
    if (length < payloadHeader || payload + length > buf.byteLength) break;
    if (crc32(buf.subarray(payload, payload + length)) !== buf.readUInt32LE(at + 4)) break;
    const idLength = buf.readUInt16LE(payload + 16);
    if (payloadHeader + idLength > length) break;
    records.push({
      seq: buf.readDoubleLE(payload),
      at: buf.readDoubleLE(payload + 8),
      sessionId: buf.toString('utf8', payload + payloadHeader, payload + payloadHeader + idLength),
      update: new Uint8Array(buf.subarray(payload + payloadHeader + idLength, payload + length)),
    });
    at = payload + length;
  }
  return records;
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE), as zlib computes it (Node 20's first releases have no `zlib.crc32`). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = (crcTable[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
