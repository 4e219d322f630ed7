import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Writes a tiny, randomly initialised GPT-2-shaped causal LM folder, as the hub serves them
 * (config.json, generation_config.json, tokenizer.json with a byte-level BPE, tokenizer_config.json,
 * onnx/model.onnx), to test the real transformers.js generation path with no network.
 *
 * The "transformer" is one layer of causal mean attention with a KV cache, so transformers.js
 * drives it exactly as it drives a real decoder (`past_key_values.0.key/value` in,
 * `present.0.key/value` out, the prompt in one pass then one token per step): the hidden state at
 * a position is `tanh(mean of the embeddings of every token so far + own embedding)`, the logits
 * `hidden · W + bias`. Output bytes that would break UTF-8 (lone bytes ≥ 0x80) and control
 * characters get a large negative bias, so decoded text is always readable. Weights come from a
 * seeded generator: the same seed writes the same model, and {@link TinyCausalLm.greedy} predicts
 * its greedy output in plain JavaScript.
 */
export interface TinyCausalLm {
  dir: string;
  /** Token strings by id (byte-level: `Ġ` is a space). */
  vocab: string[];
  eosId: number;
  /** The ids greedy decoding produces after `promptIds`, up to `maxNew` (stopping after EOS). */
  greedy(promptIds: readonly number[], maxNew: number): number[];
}

export interface TinyCausalLmOptions {
  seed?: number;
  /** Hidden size. */
  dims?: number;
  /** Whole-word tokens besides the 256 byte tokens (byte-level strings are built from them). */
  words?: readonly string[];
  /** Write a chat template into tokenizer_config.json (default true). */
  chatTemplate?: boolean;
  /** Added to EOS's logit: higher ends answers sooner. */
  eosBias?: number;
}

/** A chat template in the style of small instruct models, with plain-text role markers. */
export const tinyChatTemplate =
  "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

const defaultWords = [' calm', ' river', ' label', ' garden', ' model', ' kind', ' fair', ' नमस्ते', ' the', ' and'];

/** GPT-2's reversible map from bytes to printable characters. */
export function byteToUnicode(): string[] {
  const printable = new Set<number>();
  for (let b = 0x21; b <= 0x7e; b += 1) printable.add(b);
  for (let b = 0xa1; b <= 0xac; b += 1) printable.add(b);
  for (let b = 0xae; b <= 0xff; b += 1) printable.add(b);
  const map: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b += 1) {
    if (printable.has(b)) map[b] = String.fromCodePoint(b);
    else {
      map[b] = String.fromCodePoint(256 + extra);
      extra += 1;
    }
  }
  return map;
}

export async function writeTinyCausalLm(dir: string, options: TinyCausalLmOptions = {}): Promise<TinyCausalLm> {
  const { seed = 11, dims = 16, words = defaultWords, chatTemplate = true, eosBias = 0 } = options;
  const bytes = byteToUnicode();
  const encodeWord = (word: string) => [...Buffer.from(word, 'utf8')].map((b) => bytes[b] as string).join('');
  // Byte tokens are ids 0-255; each word adds its prefixes (so the BPE merges can build it), then EOS.
  const vocab = [...bytes];
  const merges: [string, string][] = [];
  for (const word of words) {
    const pieces = [...Buffer.from(word, 'utf8')].map((b) => bytes[b] as string);
    let acc = pieces[0] as string;
    for (const piece of pieces.slice(1)) {
      const next = acc + piece;
      if (!vocab.includes(next)) {
        vocab.push(next);
        merges.push([acc, piece]);
      }
      acc = next;
    }
  }
  const eos = '<|endoftext|>';
  vocab.push(eos);
  const eosId = vocab.length - 1;
  const wordIds = new Set(words.map((w) => vocab.indexOf(encodeWord(w))));
  const size = vocab.length;

  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296 - 0.5;
  };
  const embed = Float32Array.from({ length: size * dims }, () => random() * 6);
  const own = Float32Array.from({ length: size * dims }, () => random());
  const out = Float32Array.from({ length: dims * size }, () => random() * 4);
  // Readable output: printable ASCII bytes, whole words and EOS only.
  const bias = Float32Array.from({ length: size }, (_, id) => {
    if (id === eosId) return eosBias;
    if (wordIds.has(id)) return 1;
    if (id >= 0x20 && id <= 0x7e) return 0;
    return -1000;
  });

  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      n_embd: dims,
      n_head: 1,
      n_layer: 1,
      n_positions: 1024,
      vocab_size: size,
      bos_token_id: eosId,
      eos_token_id: eosId,
      use_cache: true,
    }),
  );
  await writeFile(
    join(dir, 'generation_config.json'),
    JSON.stringify({ bos_token_id: eosId, eos_token_id: eosId, do_sample: false }),
  );
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'GPT2Tokenizer',
      add_bos_token: false,
      bos_token: eos,
      eos_token: eos,
      unk_token: eos,
      model_max_length: 1024,
      clean_up_tokenization_spaces: false,
      ...(chatTemplate ? { chat_template: tinyChatTemplate } : {}),
    }),
  );
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  await writeFile(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [
        {
          id: eosId,
          content: eos,
          single_word: false,
          lstrip: false,
          rstrip: false,
          normalized: true,
          special: true,
        },
      ],
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: { ...byteLevel, trim_offsets: false },
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        vocab: Object.fromEntries(vocab.map((token, i) => [token, i])),
        merges: merges.map(([a, b]) => `${a} ${b}`),
      },
    }),
  );

  const { INT64, FLOAT } = onnx.TensorProto.DataType;
  const dim = (d: string | number) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const value = (name: string, elemType: number, shape: (string | number)[]) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map(dim) } } },
  });
  const int = (name: string, i: number) => ({ name, i, type: onnx.AttributeProto.AttributeType.INT });
  const cache = ['batch_size', 1, 'past_sequence_length', dims];
  const present = ['batch_size', 1, 'total_sequence_length', dims];
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'calma-tiny-causal-lm',
    graph: {
      name: 'tiny-causal-lm',
      input: [
        value('input_ids', INT64, ['batch_size', 'sequence_length']),
        value('attention_mask', INT64, ['batch_size', 'total_sequence_length']),
        value('past_key_values.0.key', FLOAT, cache),
        value('past_key_values.0.value', FLOAT, cache),
      ],
      output: [
        value('logits', FLOAT, ['batch_size', 'sequence_length', size]),
        value('present.0.key', FLOAT, present),
        value('present.0.value', FLOAT, present),
      ],
      initializer: [
        { name: 'embed', dims: [size, dims], dataType: FLOAT, floatData: [...embed] },
        { name: 'own', dims: [size, dims], dataType: FLOAT, floatData: [...own] },
        { name: 'out', dims: [dims, size], dataType: FLOAT, floatData: [...out] },
        { name: 'bias', dims: [size], dataType: FLOAT, floatData: [...bias] },
        { name: 'axis1', dims: [1], dataType: INT64, int64Data: [1] },
        { name: 'axis2', dims: [], dataType: INT64, int64Data: [2] },
        { name: 'axes13', dims: [2], dataType: INT64, int64Data: [1, 3] },
        { name: 'axes2', dims: [1], dataType: INT64, int64Data: [2] },
        { name: 'one', dims: [], dataType: FLOAT, floatData: [1] },
        { name: 'big', dims: [1], dataType: INT64, int64Data: [2 ** 31 - 1] },
      ],
      node: [
        // The new tokens' embeddings join the cache: [batch, 1 head, past + new, dims].
        { opType: 'Gather', input: ['embed', 'input_ids'], output: ['e'], attribute: [int('axis', 0)] },
        { opType: 'Unsqueeze', input: ['e', 'axis1'], output: ['e4'] },
        {
          opType: 'Concat',
          input: ['past_key_values.0.key', 'e4'],
          output: ['present.0.key'],
          attribute: [int('axis', 2)],
        },
        {
          opType: 'Concat',
          input: ['past_key_values.0.value', 'e4'],
          output: ['present.0.value'],
          attribute: [int('axis', 2)],
        },
        // Causal mean over unmasked positions: cumulative sums divided by cumulative counts.
        { opType: 'Cast', input: ['attention_mask'], output: ['maskF'], attribute: [int('to', FLOAT)] },
        { opType: 'Unsqueeze', input: ['maskF', 'axes13'], output: ['mask4'] },
        { opType: 'Mul', input: ['present.0.value', 'mask4'], output: ['masked'] },
        { opType: 'CumSum', input: ['masked', 'axis2'], output: ['sums'] },
        { opType: 'CumSum', input: ['mask4', 'axis2'], output: ['counts'] },
        { opType: 'Max', input: ['counts', 'one'], output: ['safeCounts'] },
        { opType: 'Div', input: ['sums', 'safeCounts'], output: ['means'] },
        // Keep the new positions only: the last `sequence_length` of the total.
        { opType: 'Shape', input: ['input_ids'], output: ['idsShape'] },
        { opType: 'Gather', input: ['idsShape', 'axis1'], output: ['newLength'], attribute: [int('axis', 0)] },
        { opType: 'Neg', input: ['newLength'], output: ['start'] },
        { opType: 'Slice', input: ['means', 'start', 'big', 'axes2'], output: ['newMeans'] },
        { opType: 'Squeeze', input: ['newMeans', 'axis1'], output: ['context'] },
        { opType: 'Gather', input: ['own', 'input_ids'], output: ['self'], attribute: [int('axis', 0)] },
        { opType: 'Add', input: ['context', 'self'], output: ['preHidden'] },
        { opType: 'Tanh', input: ['preHidden'], output: ['hidden'] },
        { opType: 'MatMul', input: ['hidden', 'out'], output: ['scores'] },
        { opType: 'Add', input: ['scores', 'bias'], output: ['logits'] },
      ],
    },
  });
  await writeFile(join(dir, 'onnx', 'model.onnx'), onnx.ModelProto.encode(model).finish());

  const row = (table: Float32Array, id: number) => table.subarray(id * dims, (id + 1) * dims);
  const greedy = (promptIds: readonly number[], maxNew: number): number[] => {
    const sum = new Float64Array(dims);
    let count = 0;
    const generated: number[] = [];
    let last = -1;
    const see = (id: number) => {
      const e = row(embed, id);
      for (let d = 0; d < dims; d += 1) sum[d] = (sum[d] as number) + (e[d] as number);
      count += 1;
      last = id;
    };
    for (const id of promptIds) see(id);
    while (generated.length < maxNew) {
      const self = row(own, last);
      const hidden = Array.from({ length: dims }, (_, d) =>
        Math.tanh((sum[d] as number) / count + (self[d] as number)),
      );
      let best = 0;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let v = 0; v < size; v += 1) {
        let score = bias[v] as number;
        for (let d = 0; d < dims; d += 1) score += (hidden[d] as number) * (out[d * size + v] as number);
        if (score > bestScore) {
          bestScore = score;
          best = v;
        }
      }
      generated.push(best);
      if (best === eosId) break;
      see(best);
    }
    return generated;
  };
  return { dir, vocab, eosId, greedy };
}
