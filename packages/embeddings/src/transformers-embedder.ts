import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { FeatureExtractionPipeline } from '@huggingface/transformers';
import type { Embedder } from './embedder.js';

export interface TransformersModelOptions {
  /** A hub id (`Xenova/all-MiniLM-L6-v2`) or a local model directory. */
  model: string;
  /** Where hub models are cached (and found again offline); Calma uses `<data dir>/models`. */
  cacheDir: string;
  /** Whether a hub model may be downloaded. Off by default: nothing needs the network. */
  allowDownloads: boolean;
}

/** A local directory rather than a hub id: absolute, or starting with `.`. */
export function isLocalModel(model: string): boolean {
  return isAbsolute(model) || model.startsWith('.');
}

const batchSize = 64;

/**
 * Sentence embeddings from a transformer model through transformers.js feature extraction:
 * mean pooling over the attention mask, normalised (what sentence-transformers models such as
 * all-MiniLM-L6-v2 expect). Runs on onnxruntime-node's CPU build.
 */
export class TransformersEmbedder implements Embedder {
  private constructor(
    readonly model: string,
    readonly dims: number,
    private readonly extractor: FeatureExtractionPipeline,
  ) {}

  static async load(options: TransformersModelOptions): Promise<TransformersEmbedder> {
    const { env, pipeline } = await import('@huggingface/transformers');
    const local = isLocalModel(options.model);
    const path = local ? resolve(options.model) : options.model;
    env.allowLocalModels = true;
    env.localModelPath = local ? dirname(path) : options.cacheDir;
    env.cacheDir = options.cacheDir;
    env.allowRemoteModels = !local && options.allowDownloads;
    const extractor = await pipeline('feature-extraction', local ? basename(path) : path, { dtype: 'fp32' });
    const probe = await extractor(['probe'], { pooling: 'mean', normalize: true });
    const dims = probe.dims[1] ?? 0;
    return new TransformersEmbedder(local ? `local:${basename(path)}` : options.model, dims, extractor);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += batchSize) {
      const batch = texts.slice(start, start + batchSize);
      const tensor = await this.extractor([...batch], { pooling: 'mean', normalize: true });
      const data = tensor.data as Float32Array;
      for (let i = 0; i < batch.length; i += 1) out.push(data.slice(i * this.dims, (i + 1) * this.dims));
    }
    return out;
  }
}
