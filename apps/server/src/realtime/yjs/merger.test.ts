import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { UpdateMerger } from './merger.js';

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
    expect(results.map((r) => r.byteLength)).toEqual(updates.slice(0, 10).map((u) => Y.mergeUpdates([u]).byteLength));
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
