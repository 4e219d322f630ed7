import { cosine, type Embedder } from '../embedder.js';
import groups from './neighbour-groups.json' with { type: 'json' };

/**
 * A fixed check of embedding quality on labels of the kind CALMA groups produce: seven themes
 * (balance, bias, accuracy, engagement, completeness, harm, cultural context), 60 labels. Written
 * before any model was tuned; see docs/affinity-map.md for the figures of each candidate model.
 */
export const neighbourGroups: Record<string, string[]> = groups;

/** Triples (a, b, c) where a must be closer to b than to c: the paper's neighbours first. */
export const neighbourTriples: [string, string, string][] = [
  ['balanced', 'diplomatic', 'biased'],
  ['balanced', 'nuanced', 'biased'],
  ['nuanced', 'diplomatic', 'biased'],
  ['biased', 'one-sided', 'balanced'],
  ['neutral', 'impartial', 'biased'],
  ['accurate', 'factual', 'inaccurate'],
  ['engaging', 'interesting', 'boring'],
];

export interface NeighbourReport {
  labels: number;
  /** Share of labels whose nearest other label is in the same theme. */
  nearestInTheme: number;
  /** Share of the three nearest labels in the same theme, over all labels. */
  threeNearestInTheme: number;
  triplesHeld: number;
  triples: number;
  /** Labels whose nearest neighbour is in another theme: "label → neighbour". */
  misses: string[];
}

export async function neighbourReport(embedder: Embedder): Promise<NeighbourReport> {
  const labels = Object.entries(neighbourGroups).flatMap(([theme, texts]) => texts.map((text) => ({ theme, text })));
  const vectors = await embedder.embed(labels.map((l) => l.text));
  const byText = new Map(labels.map((l, i) => [l.text, vectors[i] as Float32Array]));
  let nearest = 0;
  let three = 0;
  const misses: string[] = [];
  labels.forEach((label, i) => {
    const ranked = labels
      .map((other, j) => ({ other, s: j === i ? -2 : cosine(vectors[i] as Float32Array, vectors[j] as Float32Array) }))
      .sort((a, b) => b.s - a.s);
    const top = ranked[0]?.other;
    if (top?.theme === label.theme) nearest += 1;
    else misses.push(`${label.text} → ${top?.text}`);
    three += ranked.slice(0, 3).filter((r) => r.other.theme === label.theme).length / 3;
  });
  const sim = (a: string, b: string) =>
    cosine(byText.get(a) ?? new Float32Array(), byText.get(b) ?? new Float32Array());
  const triplesHeld = neighbourTriples.filter(([a, b, c]) => sim(a, b) > sim(a, c)).length;
  return {
    labels: labels.length,
    nearestInTheme: nearest / labels.length,
    threeNearestInTheme: three / labels.length,
    triplesHeld,
    triples: neighbourTriples.length,
    misses,
  };
}
