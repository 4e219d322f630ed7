import { type Embedder, normalise } from '../embedder.js';
import { readStaticModel, type StaticModelData } from './model-files.js';

/**
 * A word: letters, combining marks and digits (Devanagari vowel signs and viramas and Arabic
 * harakat are marks: without them "संतुलित" fell apart into the consonants स त ल त), with the
 * zero-width joiners that Indic and Arabic spellings use inside words.
 */
const tokenPattern = /[\p{L}\p{M}\p{N}\u200c\u200d]+(?:[-'’][\p{L}\p{M}\p{N}\u200c\u200d]+)*/gu;

/**
 * The spelling an unknown word is hashed in: without zero-width joiners, Arabic tatweel and
 * Arabic short-vowel marks, which writers add or leave out freely ("مُتَوازِن" is "متوازن").
 */
const hashSpelling = (word: string) => word.replace(/\u200c|\u200d|[\u0640\u064b-\u065f\u0670]/gu, '');

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

/** FNV-1a over code points, for hashing character trigrams of unknown words. */
function hash(chars: readonly string[]): number {
  let h = 0x811c9dc5;
  for (const char of chars) {
    h ^= char.codePointAt(0) ?? 0;
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
  /** 2: words keep their combining marks (Devanagari, Arabic), unknown words hash code points. */
  readonly revision = '2';
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
    const normalised = text.normalize('NFKC').toLowerCase();
    for (const token of normalised.matchAll(tokenPattern)) {
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
    // A text with no word in it ("👍", "?!") is hashed whole rather than left a zero vector,
    // which would have no direction for the layout's cosine neighbours.
    const whole = normalised.replace(/\s+/gu, ' ').trim();
    if (out.length === 0 && whole !== '') out.push(whole);
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

  /**
   * An unknown word as a unit vector of hashed character trigrams (feature hashing, ±1), counted
   * in code points so that any script, Devanagari and Arabic included, gets the same treatment:
   * words that share most of their spelling ("संतुलित", "संतुलन") share most of their trigrams.
   */
  private addHashed(vector: Float32Array, word: string): void {
    const padded = ['<', ...hashSpelling(word), '>'];
    const grams = Math.max(1, padded.length - 2);
    const weight = 1 / Math.sqrt(grams);
    for (let i = 0; i < grams; i += 1) {
      const h = hash(padded.slice(i, i + 3));
      const d = h % this.dims;
      vector[d] = (vector[d] ?? 0) + ((h >>> 31) & 1 ? weight : -weight);
    }
  }
}
