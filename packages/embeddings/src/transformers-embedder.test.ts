import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbedder, defaultEmbeddingModel } from './select.js';
import { writeTinyBert } from './testing/tiny-bert.js';
import { TransformersEmbedder } from './transformers-embedder.js';

const root = await mkdtemp(join(tmpdir(), 'calma-tiny-bert-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('transformers.js feature extraction', () => {
  it('loads a local BERT-shaped model and returns the normalised mean over [CLS] tokens [SEP]', async () => {
    const tiny = await writeTinyBert(join(root, 'tiny-bert'), ['balanced', 'fair', 'biased']);
    const embedder = await TransformersEmbedder.load({
      model: tiny.dir,
      cacheDir: join(root, 'cache'),
      allowDownloads: false,
    });
    expect(embedder.dims).toBe(tiny.dims);
    expect(embedder.model).toBe('local:tiny-bert');
    // Texts of different lengths in one batch: padding must not leak into the mean.
    const [pair, single] = await embedder.embed(['Balanced FAIR', 'biased']);
    const expected = (tokens: string[]) => {
      const ids = ['[CLS]', ...tokens, '[SEP]'].map((t) => tiny.vocab.indexOf(t));
      const mean = Array.from({ length: tiny.dims }, (_, d) =>
        ids.reduce((sum, id) => sum + (tiny.table[id * tiny.dims + d] as number), 0),
      );
      const norm = Math.hypot(...mean);
      return mean.map((v) => v / norm);
    };
    for (const [d, v] of expected(['balanced', 'fair']).entries()) expect(pair?.[d]).toBeCloseTo(v, 5);
    for (const [d, v] of expected(['biased']).entries()) expect(single?.[d]).toBeCloseTo(v, 5);
  });

  it('falls back to the offline model, saying why, when a hub model is not cached and downloads are off', async () => {
    const selected = await createEmbedder({
      model: 'Xenova/all-MiniLM-L6-v2',
      cacheDir: join(root, 'empty-cache'),
      allowDownloads: false,
    });
    expect(selected.embedder.model).toBe(defaultEmbeddingModel);
    expect(selected.fallbackReason).toMatch(/Xenova\/all-MiniLM-L6-v2 could not be loaded/);
  });

  it('uses a local model when one is configured, with no fallback', async () => {
    const tiny = await writeTinyBert(join(root, 'configured'), ['axis']);
    const selected = await createEmbedder({ model: tiny.dir, cacheDir: join(root, 'cache'), allowDownloads: false });
    expect(selected.fallbackReason).toBeUndefined();
    expect(selected.embedder.model).toBe('local:configured');
  });
});
