import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { foldUpdates, UpdateMerger } from './merger.js';

describe('UpdateMerger', () => {
  const merger = new UpdateMerger();
  afterAll(() => merger.close());

  it('merges updates in a worker thread into the state they make together', async () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    for (let i = 0; i < 50; i++) doc.getMap('cards').set(`c${i}`, i);
    doc.getMap('cards').delete('c7');
    const merged = await merger.merge(updates);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, merged);
    expect(copy.getMap('cards').toJSON()).toEqual(doc.getMap('cards').toJSON());
    // Many at once, answered each to its own caller.
    const results = await Promise.all(updates.slice(0, 10).map((u) => merger.merge([u])));
    expect(results.map((r) => r.byteLength)).toEqual(updates.slice(0, 10).map((u) => foldUpdates(Y, [u]).byteLength));
  });

  it('keeps a value overwritten many times once, where Y.mergeUpdates keeps every version', async () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    const card = new Y.Map<unknown>();
    doc.getMap('cards').set('c1', card);
    for (let x = 0; x < 1000; x++) card.set('x', x);
    const folded = await merger.merge(updates);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, folded);
    expect(copy.getMap('cards').toJSON()).toEqual({ c1: { x: 999 } });
    expect(folded.byteLength).toBeLessThan(200);
    expect(Y.mergeUpdates(updates).byteLength).toBeGreaterThan(5000);
    // Folding the fold with what came after is the same as folding everything.
    card.set('x', -1);
    const again = await merger.merge([folded, updates.at(-1) as Uint8Array]);
    const copy2 = new Y.Doc();
    Y.applyUpdate(copy2, again);
    expect(copy2.getMap('cards').toJSON()).toEqual({ c1: { x: -1 } });
  });

  it('keeps changes that wait for a missing one', async () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    for (let i = 0; i < 3; i++) doc.getMap('cards').set(`c${i}`, i);
    // The second update is missing: the third cannot be placed yet, and must not be dropped.
    const folded = await merger.merge([updates[0] as Uint8Array, updates[2] as Uint8Array]);
    const copy = new Y.Doc();
    Y.applyUpdate(copy, folded);
    expect(copy.getMap('cards').toJSON()).toEqual({ c0: 0 });
    Y.applyUpdate(copy, updates[1] as Uint8Array);
    expect(copy.getMap('cards').toJSON()).toEqual({ c0: 0, c1: 1, c2: 2 });
  });

  it('rejects what it cannot merge, and keeps working', async () => {
    const bad = new Uint8Array([9, 9, 9, 9, 9]);
    await expect(merger.merge([bad, bad])).rejects.toThrow();
    const doc = new Y.Doc();
    doc.getMap('m').set('k', 1);
    const merged = await merger.merge([Y.encodeStateAsUpdate(doc)]);
    expect(merged.byteLength).toBeGreaterThan(0);
  });
});
