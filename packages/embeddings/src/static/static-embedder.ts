import { type Embedder, normalise } from '../embedder.js';
import { readStaticModel, type StaticModelData } from './model-files.js';

const tokenPattern = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;

/**
 * Spellings to try for a word the table lacks: British → American, inflections, then the word
 * without a negating prefix ("unengaging" → "engaging": the same axis, if not the same pole).
 */
function variants(word: string): string[] {
  const out: string[] = [];
  const add = (w: string) => {
    if (w.length > 1 && w !== word && !out.includes(w)) out.push(w);
  };
  add(word.replace(/isation(s?)$/, 'ization$1').replace(/is(e|es|ed|ing)$/, 'iz$1'));
  add(word.replace(/our$/, 'or'));
  add(word.replace(/tre$/, 'ter'));
  for (const base of [word, ...out]) {
    add(base.replace(/ies$/, 'y'));
    add(base.replace(/(es|s)$/, ''));
    add(base.replace(/ed$/, ''));
    add(base.replace(/ed$/, 'e'));
    add(base.replace(/ing$/, ''));
    add(base.replace(/ing$/, 'e'));
    add(base.replace(/ly$/, ''));
  }
  const stem = /^(un|non-?|dis)(.{4,})$/.exec(word)?.[2];
  if (stem) for (const w of [stem, ...variants(stem)]) add(w);
  return out;
}

/** FNV-1a, for hashing character trigrams of unknown words. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Embeds short texts with a static word table: each word's vector (retrofitted GloVe) weighted by
 * its SIF frequency weight, averaged, normalised. A word missing from the table is tried in other
 * spellings, then falls back to a hashed character-trigram vector, so unknown words still land next
 * to their own spelling variants. Pure table look-ups: thousands of labels per millisecond.
 */
export class StaticEmbedder implements Embedder {
  readonly model: string;
  readonly dims: number;
  private readonly index: Map<string, number>;

  constructor(private readonly data: StaticModelData) {
    this.model = data.meta.name;
    this.dims = data.meta.dims;
    this.index = new Map(data.vocab.map((word, i) => [word, i]));
  }

  static async load(dir: string): Promise<StaticEmbedder> {
    return new StaticEmbedder(await readStaticModel(dir));
  }

  /** Table rows for the words of a text (after spelling variants); unknown words as themselves. */
  tokens(text: string): (number | string)[] {
    const out: (number | string)[] = [];
    for (const token of text.normalize('NFKC').toLowerCase().matchAll(tokenPattern)) {
      const word = token[0].replaceAll('’', "'");
      const row = this.lookup(word);
      if (row !== undefined) {
        out.push(row);
        continue;
      }
      const parts = word.split(/[-']/).filter((part) => part.length > 0);
      if (parts.length > 1) for (const part of parts) out.push(this.lookup(part) ?? part);
      else out.push(word);
    }
    return out;
  }

  embedOne(text: string): Float32Array {
    const { dims, data } = this;
    const vector = new Float32Array(dims);
    for (const token of this.tokens(text)) {
      if (typeof token === 'number') {
        const weight = (data.weights[token] ?? 0) * (data.scales[token] ?? 0);
        const offset = token * dims;
        for (let d = 0; d < dims; d += 1) vector[d] = (vector[d] ?? 0) + weight * (data.vectors[offset + d] ?? 0);
      } else {
        this.addHashed(vector, token);
      }
    }
    return normalise(vector);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.embedOne(text));
  }

  private lookup(word: string): number | undefined {
    const row = this.index.get(word);
    if (row !== undefined) return row;
    for (const variant of variants(word)) {
      const found = this.index.get(variant);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** An unknown word as a unit vector of hashed character trigrams (feature hashing, ±1). */
  private addHashed(vector: Float32Array, word: string): void {
    const padded = `<${word}>`;
    const grams = Math.max(1, padded.length - 2);
    const weight = 1 / Math.sqrt(grams);
    for (let i = 0; i + 3 <= padded.length || i === 0; i += 1) {
      const h = hash(padded.slice(i, i + 3));
      const d = h % this.dims;
      vector[d] = (vector[d] ?? 0) + ((h >>> 31) & 1 ? weight : -weight);
      if (i + 3 >= padded.length) break;
    }
  }
}
