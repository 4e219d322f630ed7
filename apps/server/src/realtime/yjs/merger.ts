import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type * as Y from 'yjs';

/** Merges Yjs updates into one (the state they make together), off the caller's thread if it can. */
export type MergeUpdates = (updates: readonly Uint8Array[]) => Promise<Uint8Array>;

/**
 * Folds updates into the state they make together as a document stores it: through a document
 * that collects garbage, so a value overwritten a thousand times (a card moved) is kept once,
 * where `Y.mergeUpdates` keeps every version and a snapshot grew with every move ever made (and
 * counted against the board's size limit). Changes that wait for a missing one are kept, as
 * `encodeStateAsUpdate` keeps them. Takes the `yjs` module so that the worker runs this very
 * function.
 */
export function foldUpdates(yjs: typeof Y, updates: readonly Uint8Array[]): Uint8Array {
  const doc = new yjs.Doc();
  try {
    doc.transact(() => {
      for (const update of updates) yjs.applyUpdate(doc, update);
    });
    return yjs.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * A worker thread that folds updates with {@link foldUpdates}, so folding a big board into a
 * snapshot (~0.1 s of CPU at 10,000 cards) never holds the event loop. The worker is plain
 * CommonJS evaluated from a string, loading the server's own `yjs` by its resolved path, so the
 * same code runs from TypeScript sources and from the bundle. Started on first use, unref'd.
 */
export class UpdateMerger {
  private worker: Worker | null = null;
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (u: Uint8Array) => void; reject: (e: Error) => void }>();

  /** Merges `updates`; rejects if the worker fails. */
  readonly merge: MergeUpdates = (updates) =>
    new Promise((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      this.start().postMessage({ id, updates });
    });

  /** Stops the worker (what is waiting is refused). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const yjs = createRequire(import.meta.url).resolve('yjs');
    const source = `
      const { parentPort } = require('node:worker_threads');
      const Y = require(${JSON.stringify(yjs)});
      const foldUpdates = ${foldUpdates.toString()};
      parentPort.on('message', ({ id, updates }) => {
        try {
          const merged = foldUpdates(Y, updates);
          parentPort.postMessage({ id, merged }, [merged.buffer]);
        } catch (err) {
          parentPort.postMessage({ id, error: String((err && err.message) || err) });
        }
      });`;
    const worker = new Worker(source, { eval: true });
    worker.unref();
    worker.on('message', (reply: { id: number; merged?: Uint8Array; error?: string }) => {
      const waiting = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.merged) waiting?.resolve(reply.merged);
      else waiting?.reject(new Error(reply.error ?? 'merge failed'));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const waiting of this.waiting.values()) waiting.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`merge worker exited with ${code}`)));
    this.worker = worker;
    return worker;
  }
}
