import * as Y from 'yjs';
import { safeError } from '../../safe-error.js';
import type { BoardLog, BoardStorage } from './ports.js';

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
    private bytes: number,
    private lastSeq: number,
    private sinceCompaction: number,
  ) {}

  /** Loads a board from its snapshot and later updates. */
  static async load(sessionId: string, store: BoardStorage, compactEvery: number, log: BoardLog) {
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
    return new DurableBoard(sessionId, doc, store, compactEvery, log, bytes, lastSeq, stored.updates.length);
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
          this.sinceCompaction += 1;
          Y.applyUpdate(this.doc, update, origin);
          if (this.sinceCompaction >= this.compactEvery)
            void this.compact().catch((err: unknown) =>
              this.log.error({ err: safeError(err), sessionId: this.sessionId }, 'compaction failed'),
            );
        },
        (err: unknown) => {
          if (this.failed) return;
          this.failed = true;
          onFailure(err);
        },
      ),
    );
  }

  /** Resolves once every accepted update is stored and applied. */
  flushed(): Promise<void> {
    return this.settled;
  }

  /** Folds the board into one snapshot if updates have piled up since the last one (or any, with `force`). */
  compact(force = false): Promise<void> {
    if (this.failed || this.sinceCompaction === 0 || (!force && this.sinceCompaction < this.compactEvery))
      return Promise.resolve();
    // One fold at a time: updates applied while one waits would otherwise start another.
    if (this.compacting) return this.compacting;
    this.compacting = (async () => {
      await this.settled;
      const upTo = this.lastSeq;
      const state = Y.encodeStateAsUpdate(this.doc);
      this.sinceCompaction = 0;
      await this.store.compact(this.sessionId, state, upTo);
      this.bytes = state.byteLength + this.queue.reduce((n, u) => n + u.byteLength, 0);
    })().finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }
}
