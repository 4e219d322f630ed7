/**
 * What each client saw of a run's edits. Edit `seq` is made by writer `seq % writers` on its own
 * card, setting `x = seq`; a writer's edits integrate in order, so a replica showing `x = s` on a
 * writer's card holds every earlier edit of that writer too: if a server merges updates, the edits
 * it folded in count as received at that moment rather than as lost.
 */
import type * as Y from 'yjs';

/** One client's receipts: when each edit was first seen (NaN: never, or its own). */
export interface Receipts {
  readonly at: Float64Array;
  /** Per writer, the highest `x` seen on its card (-1 before any). */
  readonly highest: Int32Array;
  /** The writer this client is, or -1 for a reader only. */
  readonly self: number;
}

/** The card id of writer `w` in a run whose cards are named `prefix`. */
export const cardOf = (prefix: string, w: number) => `${prefix}-${w}`;

/** Starts recording, on `doc`, the edits of `writers` writers (except the client's own, `self`). */
export function watch(doc: Y.Doc, prefix: string, writers: number, total: number, self: number): Receipts {
  const receipts: Receipts = {
    at: new Float64Array(total).fill(Number.NaN),
    highest: new Int32Array(writers).fill(-1),
    self,
  };
  const cards = doc.getMap<Y.Map<unknown>>('cards');
  const cardPrefix = `${prefix}-`;
  const take = (key: string, now: number) => {
    if (!key.startsWith(cardPrefix)) return;
    const w = Number(key.slice(cardPrefix.length));
    if (!Number.isInteger(w) || w < 0 || w >= writers || w === self) return;
    const x = cards.get(key)?.get('x');
    const last = receipts.highest[w] ?? -1;
    if (typeof x !== 'number' || x <= last || x >= total) return;
    for (let seq = last < 0 ? w : last + writers; seq <= x; seq += writers) receipts.at[seq] = now;
    receipts.highest[w] = x;
  };
  // Only the cards an event touched: at thousands of edits a second, looking at every writer's
  // card for each event of each of 50 clients was an eighth of the bench's own CPU.
  cards.observeDeep((events) => {
    const now = performance.now();
    for (const event of events) {
      if (event.path.length > 0) take(String(event.path[0]), now);
      else for (const key of event.changes.keys.keys()) take(key, now);
    }
  });
  return receipts;
}

/** Whether `receipts` has seen every edit of every other writer up to the last one. */
export function complete(receipts: Receipts, writers: number, total: number): boolean {
  for (let w = 0; w < writers; w++) {
    if (w === receipts.self) continue;
    const lastOfWriter = total - 1 - ((total - 1 - w) % writers);
    if ((receipts.highest[w] ?? -1) < lastOfWriter) return false;
  }
  return true;
}

/**
 * Per writer, how many of its edits count as acknowledged: those up to the highest any other
 * client received (the server took them and passed them on; a durable server passes on only what
 * it committed).
 */
export function acknowledgedPerWriter(all: readonly Receipts[], writers: number): number[] {
  return Array.from({ length: writers }, (_, w) => {
    const seen = Math.max(-1, ...all.map((r) => (r.self === w ? -1 : (r.highest[w] ?? -1))));
    return seen < 0 ? 0 : Math.floor((seen - w) / writers) + 1;
  });
}
