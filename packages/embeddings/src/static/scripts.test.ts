import { describe, expect, it } from 'vitest';
import { cosine } from '../embedder.js';
import { staticModelDirectory } from '../select.js';
import { StaticEmbedder } from './static-embedder.js';

/**
 * Labels in scripts the word table does not cover (Devanagari, Arabic) still get meaningful,
 * deterministic vectors: whole words (vowel signs and viramas included) hashed by character
 * trigrams, so a label sits near labels that share its words and away from unrelated ones.
 */
const embedder = await StaticEmbedder.load(staticModelDirectory());
const s = (a?: Float32Array, b?: Float32Array) => cosine(a as Float32Array, b as Float32Array);
const norm = (v?: Float32Array) => Math.hypot(...(v as Float32Array));

describe('the offline model on Devanagari and Arabic labels', () => {
  it('reads a Devanagari word whole, vowel signs and virama included', () => {
    // It used to split at every vowel sign: ["स", "त", "ल", "त"].
    expect(embedder.tokens('संतुलित')).toEqual(['संतुलित']);
    expect(embedder.tokens('संतुलित दृष्टिकोण')).toEqual(['संतुलित', 'दृष्टिकोण']);
    expect(embedder.tokens('पक्षपाती')).toEqual(['पक्षपाती']);
    expect(embedder.tokens('متوازن ومحايد')).toEqual(['متوازن', 'ومحايد']);
  });

  it('puts a label near a longer label with its word and away from unrelated labels', async () => {
    const [balanced, balancedView, biased, factual, veryBalanced] = await embedder.embed([
      'संतुलित',
      'संतुलित दृष्टिकोण',
      'पक्षपाती',
      'तथ्यात्मक',
      'बहुत संतुलित',
    ]);
    for (const v of [balanced, balancedView, biased, factual, veryBalanced]) expect(norm(v)).toBeCloseTo(1, 5);
    expect(s(balanced, balancedView)).toBeGreaterThan(0.6);
    expect(s(balanced, veryBalanced)).toBeGreaterThan(0.6);
    // Unrelated words share no trigram: (near) orthogonal. They used to share bare consonants (0.47).
    expect(Math.abs(s(balanced, biased))).toBeLessThan(0.2);
    expect(Math.abs(s(balanced, factual))).toBeLessThan(0.2);
    expect(s(balanced, balancedView)).toBeGreaterThan(s(balancedView, biased) + 0.4);
  });

  it('does the same for Arabic, with or without short-vowel marks', async () => {
    const [balanced, balancedNeutral, biased, voweled] = await embedder.embed([
      'متوازن',
      'متوازن ومحايد',
      'منحاز',
      'مُتَوازِن',
    ]);
    expect(s(balanced, balancedNeutral)).toBeGreaterThan(0.6);
    expect(Math.abs(s(balanced, biased))).toBeLessThan(0.2);
    expect(s(balanced, voweled)).toBeCloseTo(1, 5);
  });

  it('is deterministic, and words shared across texts decide the neighbours', async () => {
    const first = await embedder.embed(['संतुलित दृष्टिकोण', 'منحاز']);
    const again = await new StaticEmbedder((embedder as unknown as { data: never }).data).embed([
      'संतुलित दृष्टिकोण',
      'منحاز',
    ]);
    expect(again.map((v) => [...v])).toEqual(first.map((v) => [...v]));
    // Related word forms share most trigrams: "संतुलन" (balance) is nearer "संतुलित" than "पक्षपात" is.
    const [balanced, balance, bias] = await embedder.embed(['संतुलित', 'संतुलन', 'पक्षपात']);
    expect(s(balanced, balance)).toBeGreaterThan(s(balanced, bias) + 0.2);
  });

  it('never returns a zero or NaN vector, even for a label without words', async () => {
    const vectors = await embedder.embed(['👍', '?!', 'ـ', 'संतुलित 👍', 'balanced संतुलित متوازن']);
    for (const v of vectors) {
      expect([...v].every(Number.isFinite)).toBe(true);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(s(vectors[0], vectors[1])).toBeLessThan(0.99);
  });
});
