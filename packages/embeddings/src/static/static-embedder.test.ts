import { describe, expect, it } from 'vitest';
import { cosine } from '../embedder.js';
import { neighbourReport } from '../quality/neighbours.js';
import { staticModelDirectory } from '../select.js';
import { StaticEmbedder } from './static-embedder.js';

const embedder = await StaticEmbedder.load(staticModelDirectory());

describe('the offline embedding model', () => {
  it("puts the paper's neighbours closer than unrelated labels", async () => {
    const [balanced, diplomatic, nuanced, biased, oneSided, dry] = await embedder.embed([
      'balanced',
      'diplomatic',
      'nuanced',
      'biased',
      'one-sided',
      'dry',
    ]);
    const s = (a?: Float32Array, b?: Float32Array) => cosine(a as Float32Array, b as Float32Array);
    expect(s(balanced, diplomatic)).toBeGreaterThan(s(balanced, biased));
    expect(s(balanced, nuanced)).toBeGreaterThan(s(balanced, biased));
    expect(s(diplomatic, nuanced)).toBeGreaterThan(s(diplomatic, biased));
    expect(s(biased, oneSided)).toBeGreaterThan(s(biased, balanced));
    expect(s(biased, oneSided)).toBeGreaterThan(s(biased, dry));
  });

  it('finds the right theme for most labels of the neighbour check (chance: about 1 in 7)', async () => {
    const report = await neighbourReport(embedder);
    expect(report.triplesHeld).toBe(report.triples);
    expect(report.nearestInTheme).toBeGreaterThanOrEqual(0.6);
    expect(report.threeNearestInTheme).toBeGreaterThanOrEqual(0.5);
  });

  it('returns unit vectors, the same for the same text, whatever the case and spacing', async () => {
    const [a, b, c] = await embedder.embed(['Colonial BIAS', '  colonial   bias ', 'religious bias']);
    expect(Math.hypot(...(a as Float32Array))).toBeCloseTo(1, 5);
    expect([...(a as Float32Array)]).toEqual([...(b as Float32Array)]);
    expect(cosine(a as Float32Array, c as Float32Array)).toBeLessThan(0.999);
  });

  it('reads British spellings and inflections through their table entries', async () => {
    // Neither "westernised" nor "oversimplifies" is in the table; their variants are.
    const [british, american, inflected, base] = await embedder.embed([
      'westernised',
      'westernized',
      'oversimplifies',
      'oversimplify',
    ]);
    expect(cosine(british as Float32Array, american as Float32Array)).toBeCloseTo(1, 5);
    expect(cosine(inflected as Float32Array, base as Float32Array)).toBeCloseTo(1, 5);
    expect(embedder.tokens('westernised')).toEqual(embedder.tokens('westernized'));
  });

  it('gives unknown words a vector near their own spelling variants', async () => {
    const [a, b, c] = await embedder.embed(['zorblaxian', 'zorblaxians', 'history']);
    expect(Math.hypot(...(a as Float32Array))).toBeCloseTo(1, 5);
    expect(cosine(a as Float32Array, b as Float32Array)).toBeGreaterThan(cosine(a as Float32Array, c as Float32Array));
  });
});
