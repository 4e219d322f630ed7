import { appendBoardUpdates, compactBoard, compactSharedBoard, type Db, loadBoard, type StoredBoard } from '@calma/db';
import type { BoardStorage } from './ports.js';

/** The longest a compaction statement waits for a moment with no commit in flight. */
const maxGapWaitMs = 100;

interface Pending {
  sessionId: string;
  update: Uint8Array;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

/** How commits are made: how many at once, how often, and for one node or several. */
export interface BoardStoreOptions {
  /**
   * Commits in flight at once, each of rooms the others do not hold (default: 1 on PGlite, whose
   * one connection runs a statement at a time, so one commit takes every waiting room; 4 on
   * PostgreSQL, whose pool runs them side by side).
   */
  readonly maxInFlight?: number;
  /**
   * Several nodes write the same boards (PostgreSQL only): folds take a lock of the board, build
   * on the stored snapshot and delete only the updates they folded ({@link compactSharedBoard}).
   */
  readonly shared?: boolean;
  /**
   * Least time from the start of one commit to the start of the next, in ms (default 0: each
   * event-loop turn). Updates arriving meanwhile share the next commit, and each room broadcasts
   * a commit's updates as one message, so under load a board sends one frame per client per
   * window instead of one per update (the kernel's cost of a frame is most of the server's CPU).
   * A lone update, none committed in the last window, is committed at once.
   */
  readonly batchMs?: number;
}

/**
 * Board persistence with group commit, pipelined across rooms: the updates waiting when a commit
 * starts are written in one INSERT (one commit), and each caller learns its sequence number only
 * once that commit is done. Callers broadcast after that, so an update anyone has seen is on disk.
 * A room has at most one commit in flight, so its updates are stored in the order accepted;
 * other rooms' updates need not wait for it (up to `maxInFlight` commits at once). Compaction
 * runs its statements one at a time between commits ({@link between}), so it never holds the
 * connection while a tick's updates wait.
 */
export class BoardStore implements BoardStorage {
  /** Updates not in a commit yet, by room, in order. */
  private readonly waiting = new Map<string, Pending[]>();
  /** Rooms with a commit in flight. */
  private readonly busy = new Set<string>();
  private readonly flights = new Set<Promise<void>>();
  private readonly maxInFlight: number;
  private readonly batchMs: number;
  /** When the last commit started (`performance.now()`). */
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private scheduled = false;
  /** Compaction steps waiting for a moment with no commit in flight. */
  private readonly gaps: (() => void)[] = [];

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
  load(sessionId: string): Promise<StoredBoard> {
    return loadBoard(this.db, sessionId);
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
   * Folds a board's updates up to `upToSeq` into a snapshot: each of its statements waits for a
   * moment with no commit in flight, so the updates of the next tick never queue behind a fold.
   */
  compact(sessionId: string, state: Uint8Array, upToSeq: number): Promise<void> {
    return compactBoard(this.db, sessionId, state, upToSeq, () => this.between());
  }

  /** Commits in flight now (for tests). */
  get inFlight(): number {
    return this.flights.size;
  }

  /** Waits until everything enqueued so far is committed (used on shutdown). */
  async drain(): Promise<void> {
    while (this.waiting.size > 0 || this.flights.size > 0) {
      if (this.flights.size === 0) this.pump();
      await Promise.all([...this.flights]);
    }
  }

  /**
   * Resolves at the next moment no commit is in flight (at once if none is), on PGlite, whose one
   * connection a statement would hold while a commit waits; at most {@link maxGapWaitMs} later,
   * so that a fold is never starved. On PostgreSQL at once: the pool runs it beside the commits.
   */
  between(): Promise<void> {
    if (this.flights.size === 0 || this.connection.kind !== 'pglite') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(go, maxGapWaitMs);
      function go() {
        clearTimeout(timer);
        resolve();
      }
      this.gaps.push(go);
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const go = () => {
      this.scheduled = false;
      this.pump();
    };
    // The batch is whatever arrived until then: at least this tick, and under load the rest of
    // the window since the last commit started.
    const wait = this.lastStartAt + this.batchMs - performance.now();
    if (wait > 0) setTimeout(go, wait);
    else setImmediate(go);
  }

  /** Starts commits of the waiting rooms that have none in flight, while there is room for them. */
  private pump(): void {
    while (this.flights.size < this.maxInFlight && this.waiting.size > 0) {
      const rooms: string[] = [];
      const batch: Pending[] = [];
      for (const [sessionId, list] of this.waiting) {
        if (this.busy.has(sessionId)) continue;
        rooms.push(sessionId);
        for (const pending of list) batch.push(pending);
        this.waiting.delete(sessionId);
      }
      if (batch.length === 0) return;
      this.start(rooms, batch);
    }
  }

  private start(rooms: readonly string[], batch: readonly Pending[]): void {
    this.lastStartAt = performance.now();
    for (const room of rooms) this.busy.add(room);
    const flight: Promise<void> = appendBoardUpdates(this.connection, batch)
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
        // A compaction step goes first when nothing else is in flight; then what waited meanwhile
        // (next tick, so the rooms broadcast this commit before the next one starts).
        if (this.flights.size === 0) for (const gap of this.gaps.splice(0)) gap();
        if (this.waiting.size > 0) this.schedule();
      });
    this.flights.add(flight);
  }
}
