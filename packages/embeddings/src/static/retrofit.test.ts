import { describe, expect, it } from 'vitest';
import { retrofit, toGraph } from './retrofit.js';
import { parseWordNetData, wordRelations } from './wordnet.js';

// Three lines in the shape of WordNet's data.adj: biased (antonym: impartial), one-sided
// (similar to biased), impartial.
const adjectives = [
  '00100001 00 a 01 biased 0 002 ! 00100003 a 0101 & 00100002 a 0000 | favoring one side',
  '00100002 00 s 01 one-sided 0 001 & 00100001 a 0000 | partial',
  '00100003 00 a 02 impartial 0 unbiased 0 001 ! 00100001 a 0101 | free from favoritism',
].join('\n');

describe('WordNet relations', () => {
  it('links synonyms and similar adjectives, and antonyms directly and through similar words', () => {
    const { attract, repel } = wordRelations(parseWordNetData('a', adjectives));
    expect([...(attract.get('biased') ?? [])]).toContain('one-sided');
    expect([...(attract.get('impartial') ?? [])]).toContain('unbiased');
    expect([...(repel.get('biased') ?? [])]).toEqual(['impartial']);
    // Indirect: one-sided is similar to biased, whose antonym is impartial.
    expect([...(repel.get('one-sided') ?? [])]).toContain('impartial');
  });
});

describe('retrofitting', () => {
  it('pulls neighbours together and pushes antonyms apart, leaving unrelated words as they were', () => {
    // Words 0 and 1 start close (as "balanced" and "biased" do in GloVe); 0 and 2 are synonyms.
    const dims = 2;
    const original = Float32Array.from([1, 0.2, 1, 0.3, 0, 1, 0.5, 0.5]);
    const attract = toGraph(4, [
      [0, 2],
      [2, 0],
    ]);
    const repel = toGraph(4, [
      [0, 1],
      [1, 0],
    ]);
    const fitted = retrofit(original, dims, attract, repel);
    const cos = (v: Float32Array, i: number, j: number) =>
      ((v[i * 2] as number) * (v[j * 2] as number) + (v[i * 2 + 1] as number) * (v[j * 2 + 1] as number)) /
      (Math.hypot(v[i * 2] as number, v[i * 2 + 1] as number) * Math.hypot(v[j * 2] as number, v[j * 2 + 1] as number));
    expect(cos(fitted, 0, 2)).toBeGreaterThan(cos(original, 0, 2));
    expect(cos(fitted, 0, 1)).toBeLessThan(cos(original, 0, 1));
    expect(cos(fitted, 3, 3)).toBeCloseTo(1);
    expect(fitted[6]).toBeCloseTo(Math.SQRT1_2, 5);
  });
});
