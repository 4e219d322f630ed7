import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TextGenerationPipeline } from '@huggingface/transformers';
import type { ModelSource } from './local-model.js';
import { StopStrings } from './local-stop.js';
import type { ChatMessage, ModelParams, ProviderErrorCode, Usage } from './provider.js';

/** Asks the worker for an answer. `abort` is a shared Int32Array(1): non-zero stops generation. */
export interface GenerateRequest {
  type: 'generate';
  id: number;
  source: ModelSource;
  messages: ChatMessage[];
  params: ModelParams;
  abort: SharedArrayBuffer;
}

/** Asks the worker to load a model ahead of its first conversation. */
export interface PreloadRequest {
  type: 'preload';
  id: number;
  source: ModelSource;
}

export type LocalWorkerRequest = GenerateRequest | PreloadRequest;

export type LocalWorkerReply =
  | { type: 'token'; id: number; text: string }
  | { type: 'done'; id: number; finishReason: 'stop' | 'length'; usage: Usage }
  | { type: 'loaded'; id: number }
  | { type: 'error'; id: number; code: ProviderErrorCode; message: string };

/** How long an answer may be when the study model does not say (`params.maxTokens`). */
export const defaultMaxTokens = 512;

/**
 * The weights to load when a folder has several: 4- and 8-bit quantised files first (small and
 * fast on onnxruntime's CPU kernels), fp16 last (the CPU runs it slowly, when at all).
 */
const dtypePreference = ['q4', 'q8', 'int8', 'uint8', 'fp32', 'bnb4', 'q4f16', 'fp16'] as const;
type Dtype = (typeof dtypePreference)[number];
const dtypeSuffix: Record<Dtype, string> = {
  q4: '_q4',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  fp32: '',
  bnb4: '_bnb4',
  q4f16: '_q4f16',
  fp16: '_fp16',
};

/** The preferred dtype among those `onnx/model*.onnx` files present. */
export function chooseDtype(available: readonly string[]): Dtype | undefined {
  return dtypePreference.find((dtype) => available.includes(dtype));
}

/** The dtypes of a local folder's `onnx/model*.onnx` files. */
function localDtypes(dir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(join(dir, 'onnx'));
  } catch {
    return [];
  }
  return dtypePreference.filter((dtype) => files.includes(`model${dtypeSuffix[dtype]}.onnx`));
}

/**
 * Loads a text-generation pipeline from where {@link locateModel} said. transformers.js's `env` is
 * one global per worker; loads run one at a time (the worker's queue), so setting it per load is safe.
 */
export async function loadPipeline(source: ModelSource): Promise<TextGenerationPipeline> {
  const { env, pipeline, ModelRegistry } = await import('@huggingface/transformers');
  env.allowLocalModels = true;
  env.localModelPath = source.root;
  env.cacheDir = source.root;
  env.allowRemoteModels = source.remote;
  let dtype: Dtype | undefined;
  if (source.remote) {
    // Asks the hub which weights it has (only ever with downloads allowed); its default otherwise.
    dtype = chooseDtype(await ModelRegistry.get_available_dtypes(source.name).catch(() => []));
  } else {
    dtype = chooseDtype(localDtypes(join(source.root, source.name)));
  }
  return (await pipeline('text-generation', source.name, {
    device: 'cpu',
    ...(dtype ? { dtype } : {}),
  })) as TextGenerationPipeline;
}

/**
 * The prompt as text: the model's chat template when its tokenizer has one (instruct models do),
 * else plain "System:/User:/Assistant:" turns ending with "Assistant:" for the model to continue.
 */
export function promptText(
  tokenizer: TextGenerationPipeline['tokenizer'],
  messages: readonly ChatMessage[],
): { text: string; templated: boolean } {
  if (tokenizer.chat_template) {
    const text = tokenizer.apply_chat_template(
      messages.map((m) => ({ role: m.role, content: m.content })),
      { tokenize: false, add_generation_prompt: true },
    ) as string;
    return { text, templated: true };
  }
  return { text: plainPrompt(messages), templated: false };
}

const roleNames = { system: 'System', user: 'User', assistant: 'Assistant' } as const;

/** Where an answer to the plain prompt ends: the model starting the next turn itself. */
export const plainPromptStops = ['\nUser:', '\nSystem:'] as const;

/** The fallback prompt for a tokenizer without a chat template. */
export function plainPrompt(messages: readonly ChatMessage[]): string {
  return `${messages.map((m) => `${roleNames[m.role]}: ${m.content}`).join('\n\n')}\n\nAssistant:`;
}

/**
 * Generates one answer, calling `emit` with text as tokens are produced and once with `done`.
 * `aborted()` is polled before every step (a stopping criterion), so an abort costs at most one
 * forward pass.
 */
export async function generateAnswer(
  generator: TextGenerationPipeline,
  request: Pick<GenerateRequest, 'messages' | 'params'>,
  aborted: () => boolean,
  emit: (
    reply: { type: 'token'; text: string } | { type: 'done'; finishReason: 'stop' | 'length'; usage: Usage },
  ) => void,
): Promise<void> {
  const { TextStreamer, StoppingCriteria, StoppingCriteriaList } = await import('@huggingface/transformers');
  const { tokenizer, model } = generator;
  const { text, templated } = promptText(tokenizer, request.messages);
  // Templates carry their own special tokens; a plain prompt gets what the tokenizer adds itself.
  const addSpecial = !templated && Boolean(tokenizer.add_bos_token || tokenizer.add_eos_token);
  const inputs = tokenizer(text, { add_special_tokens: addSpecial });
  const promptTokens = inputs.input_ids.dims.at(-1) ?? 0;
  const maxNew = Math.max(1, Math.floor(request.params.maxTokens ?? defaultMaxTokens));

  const stops = templated ? null : new StopStrings(plainPromptStops);
  const show = (text: string) => {
    const shown = stops ? stops.push(text) : text;
    if (shown !== '') emit({ type: 'token', text: shown });
  };
  const generated: bigint[] = [];
  // Incremental detokenisation over a short window (as vLLM does): decoding the whole answer at
  // every step would cost O(n²), and decoding each token alone loses what depends on its
  // neighbours (SentencePiece drops a leading space at the start of a decode).
  let prefixOffset = 0;
  let readOffset = 0;
  const decode = (from: number, to = generated.length) =>
    to <= from
      ? ''
      : (tokenizer.decode(generated.slice(from, to), {
          skip_special_tokens: true,
          clean_up_tokenization_spaces: false,
        }) as string);
  const flush = (final: boolean) => {
    const before = decode(prefixOffset, readOffset);
    const now = decode(prefixOffset);
    // A character split across byte-level tokens decodes as U+FFFD until its last byte arrives.
    if (now.length <= before.length || (!final && now.endsWith('\uFFFD'))) return;
    show(now.slice(before.length));
    prefixOffset = readOffset;
    readOffset = generated.length;
  };
  // A TextStreamer by type (what generate() asks for); its put/end are replaced: it emits at
  // whole words, Calma wants every token as it comes.
  class Streamer extends TextStreamer {
    #prompt = true;
    constructor() {
      super(tokenizer, { skip_prompt: true });
    }
    override put(value: bigint[][]): void {
      // generate() passes the prompt first; the answer's tokens follow one step at a time.
      if (this.#prompt) {
        this.#prompt = false;
        return;
      }
      generated.push(...(value[0] ?? []));
      flush(false);
    }
    override end(): void {
      flush(true);
      const rest = stops?.end() ?? '';
      if (rest !== '') emit({ type: 'token', text: rest });
    }
  }
  class AbortCriteria extends StoppingCriteria {
    override _call(inputIds: number[][]): boolean[] {
      return inputIds.map(() => aborted() || stops?.stopped === true);
    }
  }
  const stopping = new StoppingCriteriaList();
  stopping.push(new AbortCriteria());

  const temperature = request.params.temperature;
  const sampling =
    temperature === undefined
      ? {}
      : temperature <= 0
        ? { do_sample: false }
        : {
            do_sample: true,
            temperature,
            ...(request.params.topP === undefined ? {} : { top_p: request.params.topP }),
          };
  await model.generate({
    ...inputs,
    max_new_tokens: maxNew,
    ...sampling,
    ...(temperature === undefined && request.params.topP !== undefined ? { top_p: request.params.topP } : {}),
    streamer: new Streamer(),
    stopping_criteria: stopping,
  });

  const eos =
    model.generation_config?.eos_token_id ?? (model.config as { eos_token_id?: number | number[] }).eos_token_id;
  const eosIds = new Set((Array.isArray(eos) ? eos : eos === undefined || eos === null ? [] : [eos]).map(Number));
  const last = generated.at(-1);
  const finishReason = stops?.stopped || (last !== undefined && eosIds.has(Number(last))) ? 'stop' : 'length';
  emit({
    type: 'done',
    finishReason,
    usage: { promptTokens, completionTokens: generated.length, totalTokens: promptTokens + generated.length },
  });
}
