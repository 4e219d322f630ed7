import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ProviderError } from './provider.js';

/** Where the local provider looks for models, and whether it may fetch one. */
export interface LocalModelSettings {
  /** `CALMA_MODELS_DIR` (default `<data dir>/models`): local models, and hub downloads' cache. */
  modelsDir: string;
  /** `CALMA_MODEL_DOWNLOADS=allow`: a hub model not in `modelsDir` may be downloaded there (once). */
  allowDownloads: boolean;
}

/**
 * Where a model's files are, as transformers.js is told: `name` resolved under `root` (its
 * `localModelPath`), and whether the hub may be asked for files missing there.
 */
export interface ModelSource {
  /** What to call the model in messages: the spec's `model` as the study owner wrote it. */
  label: string;
  root: string;
  name: string;
  remote: boolean;
}

/** A local directory rather than a hub id: absolute, or starting with `.` (as the embedder decides). */
export function isLocalModelPath(model: string): boolean {
  return isAbsolute(model) || model.startsWith('.');
}

/** A hub id the hub could serve: `name` or `owner/name`, no `..`, no empty segment. */
function isHubId(model: string): boolean {
  return /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/.test(model) && !model.includes('..');
}

/**
 * Finds a model without touching the network: a local directory as given; a hub id under
 * `modelsDir/<owner>/<name>` (where a download would have put it, so a model fetched once is found
 * offline later, and where an operator copies one by hand); else, only when downloads are allowed,
 * the hub. Anything else is a MODEL_UNKNOWN that says where to put the model.
 */
export function locateModel(model: string, settings: LocalModelSettings): ModelSource {
  const wanted = model.trim();
  const hasConfig = (dir: string) => existsSync(join(dir, 'config.json'));
  if (isLocalModelPath(wanted)) {
    const dir = resolve(wanted);
    if (!hasConfig(dir)) {
      throw new ProviderError(
        'MODEL_UNKNOWN',
        `No model folder at ${dir} (it needs config.json, tokenizer.json and onnx/model.onnx, as the Hugging Face hub serves them)`,
      );
    }
    return { label: wanted, root: dirname(dir), name: basename(dir), remote: false };
  }
  if (!isHubId(wanted)) {
    throw new ProviderError(
      'MODEL_UNKNOWN',
      `"${wanted}" is neither a model folder (an absolute path, or one starting with ".") nor a Hugging Face hub id such as onnx-community/Qwen2.5-0.5B-Instruct`,
    );
  }
  const root = resolve(settings.modelsDir);
  if (hasConfig(join(root, wanted))) return { label: wanted, root, name: wanted, remote: false };
  if (settings.allowDownloads) return { label: wanted, root, name: wanted, remote: true };
  throw new ProviderError(
    'MODEL_UNKNOWN',
    `The local model ${wanted} is not in ${join(root, wanted)} and model downloads are off: put the model folder there (config.json, tokenizer.json, onnx/…), or set CALMA_MODEL_DOWNLOADS=allow to download it from the Hugging Face hub once`,
  );
}
