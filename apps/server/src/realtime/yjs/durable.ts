import * as Y from 'yjs';
import { safeError } from '../../safe-error.js';
import type { MergeUpdates } from './merger.js';
import type { BoardLog, BoardStorage } from './ports.js';

/** Merging on the caller's thread: for tests and small boards. */
export const mergeHere: MergeUpdates = async (updates) => Y.mergeUpdates([...updates]);

/**
 * The durable side of a board: `doc`, which holds only what is stored, and the pipeline that
 * stores each accepted update (group commit, in order) before `doc` takes it, and folds the stored
 * updates into a snapshot every `compactEvery`. What `doc` takes it broadcasts (the room listens),
 * so an update anyone has seen is on disk.
 */
export class DurableBoard {
  private readonly queue: Uint8Array[] = [];
  private compacting: Promise<void> | null = null;
  /** Resolves when every update accepted so far has been applied to `doc`. */
  private settled: Promise<void> = Promise.resolve();
  private failed = false;

  private constructor(
    readonly sessionId: string,
    readonly doc: Y.Doc,
    private readonly store: BoardStorage,
    private readonly compactEvery: number,
    private readonly log: BoardLog,
    private readonly merge: MergeUpdates,
    private bytes: number,
    private lastSeq: number,
    /** The stored snapshot (null before the first), and the stored updates after it, in order. */
    private folded: Uint8Array | null,
    private readonly since: Uint8Array[],
  ) {}

  /** Loads a board from its snapshot and later updates. */
  static async load(
    sessionId: string,
    store: BoardStorage,
    compactEvery: number,
    log: BoardLog,
    merge: MergeUpdates = mergeHere,
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
      bytes,
      lastSeq,
      stored.snapshot?.state ?? null,
      stored.updates.map((u) => u.update),
    );
  }

  /** Accepted updates not stored yet, oldest first. */
  get pending(): readonly Uint8Array[] {
    return this.queue;
  }

  /** The board's size in bytes, stored and pending (updates as sent; a snapshot as folded). */
  get size(): number {
    return this.bytes;
  }

  /**
   * Stores `update`; once it is stored, `doc` takes it with `origin`. A storage failure calls
   * `onFailure` once, and nothing after it is applied.
   */
  append(update: Uint8Array, origin: unknown, onFailure: (err: unknown) => void): void {
    this.queue.push(update);
    this.bytes += update.byteLength;
    const written = this.store.append(this.sessionId, update);
    this.settled = this.settled.then(() =>
      written.then(
        (seq) => {
          if (this.failed) return;
          this.queue.shift();
          this.lastSeq = seq;
          this.since.push(update);
          Y.applyUpdate(this.doc, update, origin);
          if (this.since.length >= this.compactEvery) this.compactInBackground();
        },
        (err: unknown) => {
          if (this.failed) return;
          this.failed = true;
          onFailure(err);
        },
      ),
    );
  }

  private compactInBackground(): void {
    this.compact().catch((err: unknown) =>
      this.log.error({ err: safeError(err), sessionId: this.sessionId }, 'compaction failed'),
    );
  }

  /** Resolves once every accepted update is stored and applied. */
  flushed(): Promise<void> {
    return this.settled;
  }

  /** Folds the board into one snapshot if updates have piled up since the last one (or any, with `force`). */
  compact(force = false): Promise<void> {
    if (this.failed || this.since.length === 0 || (!force && this.since.length < this.compactEvery))
      return Promise.resolve();
    // One fold at a time: updates applied while one waits would otherwise start another.
    if (this.compacting) return this.compacting;
    this.compacting = (async () => {
      await this.settled;
      const upTo = this.lastSeq;
      const count = this.since.length;
      // The fold merges what is stored (the snapshot and the updates after it) rather than
      // encoding `doc`, so it can run in a worker: the event loop never waits for it.
      const parts = this.folded ? [this.folded, ...this.since.slice(0, count)] : this.since.slice(0, count);
      const state = await this.merge(parts);
      await this.store.compact(this.sessionId, state, upTo);
      this.folded = state;
      this.since.splice(0, count);
      const sum = (list: readonly Uint8Array[]) => list.reduce((n, u) => n + u.byteLength, 0);
      this.bytes = state.byteLength + sum(this.since) + sum(this.queue);
    })().finally(() => {
      this.compacting = null;
      // Updates stored while this fold ran may already call for the next.
      if (this.since.length >= this.compactEvery) this.compactInBackground();
    });
    return this.compacting;
  }
}
