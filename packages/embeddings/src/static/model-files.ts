import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A static embedding model on disk: a word table, one int8 row (with its own scale) per word,
 * and a frequency weight per word (SIF: a / (a + p(w))).
 *
 *   meta.json     { format, name, dims, words, ... }
 *   vocab.txt     one word per line
 *   vectors.i8    words × dims, int8
 *   scales.f32    words, float32: row = int8 × scale
 *   weights.f32   words, float32
 */
export interface StaticModelMeta {
  format: 'calma-static-embeddings/1';
  name: string;
  dims: number;
  words: number;
  [extra: string]: unknown;
}

export interface StaticModelData {
  meta: StaticModelMeta;
  vocab: string[];
  vectors: Int8Array;
  scales: Float32Array;
  weights: Float32Array;
}

const files = ['meta.json', 'vocab.txt', 'vectors.i8', 'scales.f32', 'weights.f32'] as const;

/** Quantises unit rows to int8 with a per-row scale (max |value| → 127). */
export function quantise(rows: Float32Array, dims: number): { vectors: Int8Array; scales: Float32Array } {
  const count = rows.length / dims;
  const vectors = new Int8Array(rows.length);
  const scales = new Float32Array(count);
  for (let w = 0; w < count; w += 1) {
    let max = 0;
    for (let d = 0; d < dims; d += 1) max = Math.max(max, Math.abs(rows[w * dims + d] ?? 0));
    const scale = max > 0 ? max / 127 : 1;
    scales[w] = scale;
    for (let d = 0; d < dims; d += 1) vectors[w * dims + d] = Math.round((rows[w * dims + d] ?? 0) / scale);
  }
  return { vectors, scales };
}

function bytes(array: Int8Array | Float32Array): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/** Writes a model directory atomically (a sibling directory renamed into place). */
export async function writeStaticModel(dir: string, data: StaticModelData): Promise<void> {
  const temp = `${dir}.partial`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  await writeFile(join(temp, 'vocab.txt'), data.vocab.join('\n'));
  await writeFile(join(temp, 'vectors.i8'), bytes(data.vectors));
  await writeFile(join(temp, 'scales.f32'), bytes(data.scales));
  await writeFile(join(temp, 'weights.f32'), bytes(data.weights));
  await writeFile(join(temp, 'meta.json'), `${JSON.stringify(data.meta, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(temp, dir);
}

function float32(buffer: Buffer): Float32Array {
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return new Float32Array(copy.buffer);
}

/** Reads a model directory, checking that its parts agree. */
export async function readStaticModel(dir: string): Promise<StaticModelData> {
  const [metaText, vocabText, vectorBytes, scaleBytes, weightBytes] = await Promise.all(
    files.map((file) => readFile(join(dir, file))),
  );
  const meta = JSON.parse(String(metaText)) as StaticModelMeta;
  if (meta.format !== 'calma-static-embeddings/1') throw new Error(`${dir}: not a Calma static embedding model`);
  const vocab = String(vocabText).split('\n');
  const vectors = new Int8Array(
    vectorBytes?.buffer ?? new ArrayBuffer(0),
    vectorBytes?.byteOffset,
    vectorBytes?.byteLength,
  );
  const scales = float32(scaleBytes ?? Buffer.alloc(0));
  const weights = float32(weightBytes ?? Buffer.alloc(0));
  if (
    vocab.length !== meta.words ||
    vectors.length !== meta.words * meta.dims ||
    scales.length !== meta.words ||
    weights.length !== meta.words
  )
    throw new Error(`${dir}: model files disagree with meta.json (damaged or half-written?)`);
  return { meta, vocab, vectors, scales, weights };
}
