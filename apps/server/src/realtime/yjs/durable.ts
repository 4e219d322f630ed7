import * as Y from 'yjs';
import { safeError } from '../../safe-error.js';
import { foldUpdates, type MergeUpdates } from './merger.js';
import type { BoardLog, BoardStorage } from './ports.js';

/** Merging on the caller's thread: for tests and small boards. */
export const mergeHere: MergeUpdates = async (updates) => foldUpdates(Y, updates);

/** Transaction origin of what `doc` takes from storage. */
export const durableOrigin = Symbol('durable');

/** Stored updates (one, or several merged) and their sequence numbers. */
export interface StoredUpdates {
  readonly seqs: readonly number[];
  readonly update: Uint8Array;
}

/** An update that is now stored and in `doc`, with whoever sent it (a connection, or `server`). */
export interface CommittedUpdate {
  readonly update: Uint8Array;
  readonly origin: unknown;
  /** Its stored sequence number. */
  readonly seq: number | null;
}

/** Told once per batch of updates `doc` took together (what one commit, or one tick, made durable). */
export type OnCommitted = (updates: readonly CommittedUpdate[]) => void;

interface Entry {
  readonly update: Uint8Array;
  readonly origin: unknown;
  /** The stored sequence number, once committed. */
  seq: number | null;
}

/**
 * The durable side of a board: `doc`, which holds only what is stored, and the pipeline that
 * stores each accepted update (group commit, in order) before `doc` takes it, and folds the stored
 * updates into a snapshot every `compactEvery` (at most every `foldGapMs`). Updates committed
 * together are applied to `doc` in one transaction and handed to `onCommitted` as one batch (the
 * room broadcasts them merged), so an update anyone has seen is on disk, and a burst costs one
 * broadcast, not one per update.
 */
export class DurableBoard {
  /** Accepted updates not in `doc` yet, oldest first (stored ones wait for those before them). */
  private readonly queue: Entry[] = [];
  private compacting: Promise<void> | null = null;
  /** When the last fold started (`performance.now()`), and the fold waiting for `foldGapMs` to pass. */
  private lastFoldAt = Number.NEGATIVE_INFINITY;
  private foldTimer: NodeJS.Timeout | null = null;
  private drainScheduled = false;
  /** Updates accepted so far, and applied to `doc` (or given up on after a failure). */
  private accepted = 0;
  private applied = 0;
  private readonly waiters: { target: number; resolve: () => void }[] = [];
  private failed = false;
  private onCommitted: OnCommitted = () => undefined;

  private constructor(
    readonly sessionId: string,
    readonly doc: Y.Doc,
    private readonly store: BoardStorage,
    private readonly compactEvery: number,
    private readonly log: BoardLog,
    private readonly merge: MergeUpdates,
    private readonly foldGapMs: number,
    private bytes: number,
    private lastSeq: number,
    /** The stored snapshot (null before the first), and the stored updates after it, in order. */
    private folded: Uint8Array | null,
    private readonly since: StoredUpdates[],
  ) {
    for (const { seqs } of since) for (const seq of seqs) this.known.add(seq);
  }

  /** Sequence numbers of the updates in `since`: what `doc` has of the stored updates. */
  private readonly known = new Set<number>();

  /** Loads a board from its snapshot and later updates. */
  static async load(
    sessionId: string,
    store: BoardStorage,
    compactEvery: number,
    log: BoardLog,
    merge: MergeUpdates = mergeHere,
    foldGapMs = 0,
  ) {
    const stored = await store.load(sessionId);
    const doc = new Y.Doc();
    let bytes = 0;
    if (stored.snapshot) {
      Y.applyUpdate(doc, stored.snapshot.state);
      bytes += stored.snapshot.state.byteLength;
    }
    for (const { update } of stored.updates) {
      Y.applyUpdate(doc, update);
      bytes += update.byteLength;
    }
    const lastSeq = stored.updates.at(-1)?.seq ?? stored.snapshot?.upToSeq ?? 0;
    return new DurableBoard(
      sessionId,
      doc,
      store,
      compactEvery,
      log,
      merge,
      foldGapMs,
      bytes,
      lastSeq,
      stored.snapshot?.state ?? null,
      stored.updates.map((u) => ({ seqs: [u.seq], update: u.update })),
    );
  }

  /** Says who hears of each batch `doc` takes (the room, which broadcasts it). */
  committed(listener: OnCommitted): void {
    this.onCommitted = listener;
  }

  /** Accepted updates not stored yet, oldest first. */
  get pending(): readonly Uint8Array[] {
    return this.queue.map((entry) => entry.update);
  }

  /** How many accepted updates are not in `doc` yet. */
  get pendingCount(): number {
    return this.queue.length;
  }

  /** Bytes of the accepted updates not in `doc` yet. */
  get pendingBytes(): number {
    return this.pendingSize;
  }
  private pendingSize = 0;

  /** The board's size in bytes, stored and pending (updates as sent; a snapshot as folded). */
  get size(): number {
    return this.bytes;
  }

  /**
   * Stores `update`; once it (and every update accepted before it) is stored, `doc` takes it with
   * the others committed with it. A storage failure calls `onFailure` once, and nothing after it
   * is applied.
   */
  append(update: Uint8Array, origin: unknown, onFailure: (err: unknown) => void): void {
    const entry: Entry = { update, origin, seq: null };
    this.queue.push(entry);
    this.accepted += 1;
    this.bytes += update.byteLength;
    this.pendingSize += update.byteLength;
    this.store.append(this.sessionId, update).then(
      (seq) => {
        if (this.failed) return;
        entry.seq = seq;
        // The store settles a whole commit at once: apply it after the last of its callbacks.
        if (this.drainScheduled) return;
        this.drainScheduled = true;
        queueMicrotask(() => {
          this.drainScheduled = false;
          this.drain();
        });
      },
      (err: unknown) => {
        if (this.failed) return;
        this.failed = true;
        this.applied = this.accepted;
        this.wake();
        onFailure(err);
      },
    );
  }

  /** Applies the stored updates at the head of the queue to `doc`, as one transaction, and tells the room. */
  private drain(): void {
    if (this.failed) return;
    let count = 0;
    while (count < this.queue.length && this.queue[count]?.seq !== null) count++;
    if (count === 0) return;
    const done = this.queue.splice(0, count);
    this.lastSeq = done[count - 1]?.seq ?? this.lastSeq;
    this.doc.transact(() => {
      for (const entry of done) {
        Y.applyUpdate(this.doc, entry.update, durableOrigin);
        const seq = entry.seq ?? 0;
        this.since.push({ seqs: [seq], update: entry.update });
        this.known.add(seq);
        this.pendingSize -= entry.update.byteLength;
      }
    }, durableOrigin);
    this.applied += count;
    this.onCommitted(done);
    this.wake();
    if (this.since.length >= this.compactEvery) this.compactInBackground();
  }

  /**
   * Takes updates another node stored (relayed), those `doc` does not have yet. Returns whether
   * any was new. They count for the board's size and are folded like this node's own.
   */
  applyStored(stored: StoredUpdates): boolean {
    if (this.failed) return false;
    const seqs = stored.seqs.filter((seq) => !this.known.has(seq));
    if (seqs.length === 0) return false;
    Y.applyUpdate(this.doc, stored.update, durableOrigin);
    this.since.push({ seqs, update: stored.update });
    this.bytes += stored.update.byteLength;
    for (const seq of seqs) {
      this.known.add(seq);
      this.lastSeq = Math.max(this.lastSeq, seq);
    }
    if (this.since.length >= this.compactEvery) this.compactInBackground();
    return true;
  }

  /**
   * Reads the board from storage again and takes whatever `doc` lacks (relayed batches may have
   * been missed). Returns what `doc` gained since `from` (a state vector; default: since now), as
   * one update, or null when it gained nothing.
   */
  async catchUp(from: Uint8Array | null = null): Promise<Uint8Array | null> {
    if (this.failed) return null;
    const stored = await this.store.load(this.sessionId);
    const before = from ?? Y.encodeStateVector(this.doc);
    const fresh = stored.updates.filter((u) => !this.known.has(u.seq));
    let changed = false;
    const onUpdate = () => {
      changed = true;
    };
    this.doc.on('update', onUpdate);
    this.doc.transact(() => {
      if (stored.snapshot) Y.applyUpdate(this.doc, stored.snapshot.state, durableOrigin);
      for (const u of fresh) {
        Y.applyUpdate(this.doc, u.update, durableOrigin);
        this.since.push({ seqs: [u.seq], update: u.update });
        this.known.add(u.seq);
        this.bytes += u.update.byteLength;
        this.lastSeq = Math.max(this.lastSeq, u.seq);
      }
    }, durableOrigin);
    this.doc.off('update', onUpdate);
    return changed || from !== null ? Y.encodeStateAsUpdate(this.doc, before) : null;
  }

  private wake(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i];
      if (waiter && waiter.target <= this.applied) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  private compactInBackground(): void {
    this.compact().catch((err: unknown) =>
      this.log.error({ err: safeError(err), sessionId: this.sessionId }, 'compaction failed'),
    );
  }

  /** Resolves once every update accepted so far is stored and applied (or storage failed). */
  flushed(): Promise<void> {
    if (this.applied >= this.accepted) return Promise.resolve();
    const target = this.accepted;
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /** Folds the board into one snapshot if updates have piled up since the last one (or any, with `force`). */
  compact(force = false): Promise<void> {
    if (force && this.foldTimer) {
      clearTimeout(this.foldTimer);
      this.foldTimer = null;
    }
    if (this.failed || this.since.length === 0 || (!force && this.since.length < this.compactEvery))
      return Promise.resolve();
    // One fold at a time: updates applied while one waits would otherwise start another.
    if (this.compacting) return this.compacting;
    // A busy board is folded at most every `foldGapMs`: a fold writes the whole document, and at
    // thousands of updates a second one every `compactEvery` was most of what storage cost.
    const wait = this.lastFoldAt + this.foldGapMs - performance.now();
    if (!force && wait > 0) {
      if (!this.foldTimer) {
        this.foldTimer = setTimeout(() => {
          this.foldTimer = null;
          this.compactInBackground();
        }, wait);
        this.foldTimer.unref();
      }
      return Promise.resolve();
    }
    this.lastFoldAt = performance.now();
    this.compacting = (async () => {
      await this.flushed();
      const upTo = this.lastSeq;
      const count = this.since.length;
      const folding = this.since.slice(0, count);
      const updates = folding.map((u) => u.update);
      // The fold merges what is stored (the snapshot and the updates after it) rather than
      // encoding `doc`, so it can run in a worker: the event loop never waits for it.
      let state: Uint8Array;
      if (this.store.compactShared) {
        // Several nodes write this board: the stored snapshot may be another node's fold.
        let made: Uint8Array | null = null;
        await this.store.compactShared(
          this.sessionId,
          async (stored) => {
            made = await this.merge(stored ? [stored, ...updates] : updates);
            return made;
          },
          folding.flatMap((u) => u.seqs),
        );
        state = made ?? new Uint8Array();
      } else {
        state = await this.merge(this.folded ? [this.folded, ...updates] : updates);
        await this.store.compact(this.sessionId, state, upTo);
      }
      this.folded = state;
      this.since.splice(0, count);
      for (const u of folding) for (const seq of u.seqs) this.known.delete(seq);
      const sum = (list: readonly StoredUpdates[]) => list.reduce((n, u) => n + u.update.byteLength, 0);
      this.bytes = state.byteLength + sum(this.since) + this.pendingSize;
    })().finally(() => {
      this.compacting = null;
      // Updates stored while this fold ran may already call for the next.
      if (this.since.length >= this.compactEvery) this.compactInBackground();
    });
    return this.compacting;
  }
}
