import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Embedder } from './embedder.js';
import { staticRecipe } from './static/recipe.js';
import { StaticEmbedder } from './static/static-embedder.js';
import { TransformersEmbedder } from './transformers-embedder.js';

/** The offline default's name, as `CALMA_EMBEDDING_MODEL` may also give it. */
export const defaultEmbeddingModel = staticRecipe.name;

/**
 * Where the built offline model is: `CALMA_STATIC_MODEL_DIR`, else `model/` of this package
 * (development, tests), else `models/` beside the server bundle (`apps/server/dist`).
 */
export function staticModelDirectory(override?: string): string {
  const folder = staticRecipe.name.replace('/', '--');
  const candidates = [
    override,
    fileURLToPath(new URL(`../model/${folder}`, import.meta.url)),
    fileURLToPath(new URL(`./models/${folder}`, import.meta.url)),
  ].filter((c): c is string => typeof c === 'string' && c !== '');
  const found = candidates.find((dir) => existsSync(`${dir}/meta.json`));
  if (!found)
    throw new Error(
      `the offline embedding model ${staticRecipe.name} is not built (looked in ${candidates.join(', ')}); run \`pnpm build\``,
    );
  return found;
}

export interface EmbedderSettings {
  /** `CALMA_EMBEDDING_MODEL`: empty or the default's name for the offline model, else a hub id or a local directory. */
  model?: string;
  /** Hub models are cached here (Calma: `<data dir>/models`). */
  cacheDir: string;
  /** `CALMA_EMBEDDING_DOWNLOADS=allow`: a hub model not in the cache may be downloaded. */
  allowDownloads: boolean;
  staticModelDir?: string;
}

export interface SelectedEmbedder {
  embedder: Embedder;
  /** Why the configured model was not used, when Calma fell back to the offline default. */
  fallbackReason?: string;
}

/**
 * The configured embedder; when a transformer model cannot be had (not downloaded, no network,
 * downloads off, a broken folder), the offline default with the reason, for one log line.
 */
export async function createEmbedder(settings: EmbedderSettings): Promise<SelectedEmbedder> {
  const wanted = settings.model?.trim() ?? '';
  const offline = () => StaticEmbedder.load(staticModelDirectory(settings.staticModelDir));
  if (wanted === '' || wanted === defaultEmbeddingModel) return { embedder: await offline() };
  try {
    return { embedder: await TransformersEmbedder.load({ ...settings, model: wanted }) };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { embedder: await offline(), fallbackReason: `${wanted} could not be loaded: ${reason}` };
  }
}
