import {
  appendBoardUpdates,
  type BoardJournal,
  compactBoard,
  compactSharedBoard,
  type Db,
  loadBoard,
  type StoredBoard,
} from '@calma/db';
import type { BoardStorage } from './ports.js';

interface Pending {
  sessionId: string;
  update: Uint8Array;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

/** How commits are made: how many at once, how often, and for one node or several. */
export interface BoardStoreOptions {
  /**
   * Commits in flight at once, each of rooms the others do not hold (default: 1 on PGlite, where a
   * commit is one write to the board journal, so one commit takes every waiting room; 4 on
   * PostgreSQL, whose pool runs them side by side).
   */
  readonly maxInFlight?: number;
  /**
   * Several nodes write the same boards (PostgreSQL only): folds take a lock of the board, build
   * on the stored snapshot and delete only the updates they folded ({@link compactSharedBoard}).
   */
  readonly shared?: boolean;
  /**
   * Least time from the start of one of a room's commits to the start of its next, in ms
   * (default 0: each event-loop turn). The room's updates arriving meanwhile share the next
   * commit, and a room broadcasts a commit's updates as one message, so a busy board sends one
   * frame per client per window instead of one per update (the kernel's cost of a frame is most
   * of the server's CPU). An update to a room that started no commit in the last window is
   * committed at once, whatever the other rooms do.
   */
  readonly batchMs?: number;
}

/**
 * Board persistence with group commit, pipelined across rooms: the updates waiting when a commit
 * starts are written in one INSERT (one commit; on PGlite one write to its board journal, see
 * {@link BoardJournal}), and each caller learns its sequence number only once that commit is done.
 * Callers broadcast after that, so an update anyone has seen is on disk. A room has at most one
 * commit in flight, so its updates are stored in the order accepted; other rooms' updates need
 * not wait for it (up to `maxInFlight` commits at once).
 */
export class BoardStore implements BoardStorage {
  /** Updates not in a commit yet, by room, in order. */
  private readonly waiting = new Map<string, Pending[]>();
  /** Rooms with a commit in flight. */
  private readonly busy = new Set<string>();
  private readonly flights = new Set<Promise<void>>();
  private readonly maxInFlight: number;
  private readonly batchMs: number;
  /** When each room's last commit started (`performance.now()`), while within `batchMs`. */
  private readonly lastStartAt = new Map<string, number>();
  /** A pump is due in the next turn (`immediate`), or at `timerDue` (`timer`). */
  private immediate = false;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = Number.POSITIVE_INFINITY;

  constructor(
    private readonly connection: Db,
    options: BoardStoreOptions = {},
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight ?? (connection.kind === 'pglite' ? 1 : 4));
    this.batchMs = Math.max(0, options.batchMs ?? 0);
    if (options.shared) {
      if (connection.kind !== 'postgres') throw new Error('Boards shared by several nodes need PostgreSQL');
      this.compactShared = (sessionId, fold, seqs) => compactSharedBoard(this.db, sessionId, fold, seqs);
    }
  }

  /** Set when several nodes write the same boards (see {@link BoardStoreOptions.shared}). */
  readonly compactShared?: BoardStorage['compactShared'];

  private get db() {
    return this.connection.db;
  }

  /** Reads a board's snapshot and later updates. */
  async load(sessionId: string): Promise<StoredBoard> {
    await this.settle();
    return loadBoard(this.db, sessionId);
  }

  /**
   * Resolves once every update committed so far is in `board_updates`, for a reader of that table:
   * on PGlite, commits are written to the board journal first ({@link BoardJournal}).
   */
  settle(): Promise<void> {
    return this.connection.boardJournal?.flush() ?? Promise.resolve();
  }

  /** Resolves with the update's sequence number once it is committed. */
  append(sessionId: string, update: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      let list = this.waiting.get(sessionId);
      if (!list) {
        list = [];
        this.waiting.set(sessionId, list);
      }
      list.push({ sessionId, update, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Folds a board's updates up to `upToSeq` into a snapshot, a few short statements with the
   * event loop free between them (on PGlite the commits meanwhile go to the journal, and the folded
   * updates still in it never move to the table).
   */
  compact(sessionId: string, state: Uint8Array, upToSeq: number): Promise<void> {
    // On PGlite the folded updates not moved out of the journal yet are dropped there.
    return compactBoard(this.db, sessionId, state, upToSeq, this.connection.boardJournal);
  }

  /** Commits in flight now (for tests). */
  get inFlight(): number {
    return this.flights.size;
  }

  /** Waits until everything enqueued so far is committed and in the table (used on shutdown). */
  async drain(): Promise<void> {
    while (this.waiting.size > 0 || this.flights.size > 0) {
      if (this.flights.size === 0) this.pump(true);
      await Promise.all([...this.flights]);
    }
    await this.settle();
  }

  /** When a waiting room may start its next commit. */
  private readyAt(sessionId: string): number {
    return (this.lastStartAt.get(sessionId) ?? Number.NEGATIVE_INFINITY) + this.batchMs;
  }

  /**
   * Arranges the next pump: in the next turn when a waiting room may commit now (the batch is
   * whatever arrived during this turn), else when the first one may. Rooms with a commit in
   * flight, or no room for another commit, wait for a flight to end.
   */
  private schedule(): void {
    // A pump due in the next turn arranges the next one itself: nothing to work out per update.
    if (this.immediate || this.flights.size >= this.maxInFlight) return;
    let due = Number.POSITIVE_INFINITY;
    for (const sessionId of this.waiting.keys())
      if (!this.busy.has(sessionId)) due = Math.min(due, this.readyAt(sessionId));
    if (due === Number.POSITIVE_INFINITY) return;
    const now = performance.now();
    if (due <= now) {
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        this.pump();
      });
      return;
    }
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerDue = Number.POSITIVE_INFINITY;
      this.pump();
    }, due - now);
  }

  /**
   * Starts a commit of the waiting rooms that have none in flight and whose window has passed
   * (every waiting room when `all`, on shutdown), if there is room for one; then arranges the next.
   */
  private pump(all = false): void {
    const now = performance.now();
    for (const [sessionId, at] of this.lastStartAt) if (at + this.batchMs <= now) this.lastStartAt.delete(sessionId);
    if (this.flights.size < this.maxInFlight) {
      const rooms: string[] = [];
      const batch: Pending[] = [];
      for (const [sessionId, list] of this.waiting) {
        if (this.busy.has(sessionId) || (!all && this.readyAt(sessionId) > now)) continue;
        rooms.push(sessionId);
        for (const pending of list) batch.push(pending);
        this.waiting.delete(sessionId);
      }
      if (batch.length > 0) this.start(rooms, batch, now);
    }
    this.schedule();
  }

  private start(rooms: readonly string[], batch: readonly Pending[], now: number): void {
    for (const room of rooms) {
      this.busy.add(room);
      if (this.batchMs > 0) this.lastStartAt.set(room, now);
    }
    const journal = this.connection.boardJournal;
    const flight: Promise<void> = (journal ? journal.append(batch) : appendBoardUpdates(this.connection, batch))
      .then(
        (seqs) => {
          for (const [i, p] of batch.entries()) p.resolve(seqs[i] ?? 0);
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      )
      .finally(() => {
        this.flights.delete(flight);
        for (const room of rooms) this.busy.delete(room);
        // What waited meanwhile goes in the next tick, so the rooms broadcast this commit first.
        if (this.waiting.size > 0) this.schedule();
      });
    this.flights.add(flight);
  }
}
