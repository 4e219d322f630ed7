import { schema } from '@calma/db';
import type { TestDb } from '@calma/db/testing';
import { freshDb } from '@calma/db/testing/fresh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingCache } from './embedding-cache.js';

/** The embedding cache: what is typed into a search field is embedded without a database row. */
describe('EmbeddingCache', () => {
  let db: TestDb;
  let cache: EmbeddingCache;
  beforeAll(async () => {
    db = await freshDb('pglite');
    cache = new EmbeddingCache(db.db, { cacheDir: '.calma/models', allowDownloads: false }, () => undefined);
  });
  afterAll(() => db.close());

  const rows = async () => (await db.db.select().from(schema.embeddings)).length;

  it('gives the vectors embed gives, in order, and stores none', async () => {
    const transient = await cache.embedTransient(['kind tone', 'cold answer', 'kind tone']);
    expect(await rows()).toBe(0);
    const stored = await cache.embed(['kind tone', 'cold answer']);
    expect(await rows()).toBe(2);
    expect(transient).toHaveLength(3);
    expect(Array.from(transient[0] as Float32Array)).toEqual(Array.from(stored.vectors[0] as Float32Array));
    expect(Array.from(transient[1] as Float32Array)).toEqual(Array.from(stored.vectors[1] as Float32Array));
    expect(Array.from(transient[2] as Float32Array)).toEqual(Array.from(transient[0] as Float32Array));
  });

  it('in the background, gives the vectors at once and writes their rows by `saved`', async () => {
    const before = await rows();
    const texts = ['fair summary', 'loaded wording', 'fair summary'];
    const embedded = await cache.embed(texts, { background: true });
    expect(embedded.vectors).toHaveLength(3);
    await embedded.saved;
    expect(await rows()).toBe(before + 2);
    // Remembered at once and stored: the same vectors again, no new rows.
    const again = await cache.embed(texts);
    expect(Array.from(again.vectors[1] as Float32Array)).toEqual(Array.from(embedded.vectors[1] as Float32Array));
    expect(await rows()).toBe(before + 2);
  });
});
