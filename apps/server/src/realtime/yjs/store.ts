import { appendBoardUpdates, compactBoard, type Db, loadBoard, type StoredBoard } from '@calma/db';
import type { BoardStorage } from './ports.js';

interface Pending {
  sessionId: string;
  update: Uint8Array;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

/**
 * Board persistence with group commit: updates enqueued during one tick of the event loop are
 * written in one INSERT (one commit), and each caller learns its sequence number only once that
 * commit is done. Callers broadcast after that, so an update anyone has seen is on disk.
 */
export class BoardStore implements BoardStorage {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(private readonly connection: Db) {}

  private get db() {
    return this.connection.db;
  }

  /** Reads a board's snapshot and later updates. */
  load(sessionId: string): Promise<StoredBoard> {
    return loadBoard(this.db, sessionId);
  }

  /** Resolves with the update's sequence number once it is committed. */
  append(sessionId: string, update: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ sessionId, update, resolve, reject });
      this.schedule();
    });
  }

  /** Folds a board's updates up to `upToSeq` into a snapshot. */
  compact(sessionId: string, state: Uint8Array, upToSeq: number): Promise<void> {
    return compactBoard(this.db, sessionId, state, upToSeq);
  }

  /** Waits until everything enqueued so far is committed (used on shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      await (this.flushing ?? this.flush());
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a timer: the batch is whatever arrived during this tick, so a lone update
    // waits for no one, and a burst shares one commit.
    setImmediate(() => {
      this.scheduled = false;
      if (!this.flushing) void this.flush();
    });
  }

  private flush(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return Promise.resolve();
    this.flushing = appendBoardUpdates(this.connection, batch)
      .then(
        (seqs) => {
          for (const [i, p] of batch.entries()) p.resolve(seqs[i] ?? 0);
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      )
      .finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.schedule();
      });
    return this.flushing;
  }
}
