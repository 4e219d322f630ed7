import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Writes a tiny BERT-shaped model folder, as the hub serves them (config.json, tokenizer.json
 * with a WordPiece model, onnx/model.onnx), to test the real transformers.js loading path with
 * no network. Its "encoder" returns each token's row of `table` as the hidden state (masked by
 * attention_mask), so the expected sentence vector is the normalised mean of known rows.
 */
export interface TinyBert {
  dir: string;
  vocab: string[];
  /** vocab.length × dims, row-major. */
  table: Float32Array;
  dims: number;
}

export async function writeTinyBert(dir: string, words: readonly string[], dims = 8, seed = 7): Promise<TinyBert> {
  const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...words];
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296 - 0.5;
  };
  const table = Float32Array.from({ length: vocab.length * dims }, random);
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: dims, vocab_size: vocab.length }),
  );
  await writeFile(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 64,
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
    }),
  );
  const id = (token: string) => vocab.indexOf(token);
  await writeFile(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content) => ({
        id: id(content),
        content,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      })),
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: null,
        lowercase: true,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
        ],
        pair: [],
        special_tokens: {
          '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
          '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
        },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab: Object.fromEntries(vocab.map((token, i) => [token, i])),
      },
    }),
  );
  const tensorType = (elemType: number, shape: string[]) => ({
    tensorType: { elemType, shape: { dim: shape.map((dimParam) => ({ dimParam })) } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'calma-tiny-bert',
    graph: {
      name: 'tiny-bert',
      input: [
        { name: 'input_ids', type: tensorType(onnx.TensorProto.DataType.INT64, ['batch', 'sequence']) },
        { name: 'attention_mask', type: tensorType(onnx.TensorProto.DataType.INT64, ['batch', 'sequence']) },
      ],
      output: [
        {
          name: 'last_hidden_state',
          type: {
            tensorType: {
              elemType: onnx.TensorProto.DataType.FLOAT,
              shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }, { dimValue: dims }] },
            },
          },
        },
      ],
      initializer: [
        { name: 'table', dims: [vocab.length, dims], dataType: onnx.TensorProto.DataType.FLOAT, floatData: [...table] },
        { name: 'axes', dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [-1] },
      ],
      node: [
        {
          opType: 'Gather',
          input: ['table', 'input_ids'],
          output: ['rows'],
          attribute: [{ name: 'axis', i: 0, type: onnx.AttributeProto.AttributeType.INT }],
        },
        {
          opType: 'Cast',
          input: ['attention_mask'],
          output: ['mask'],
          attribute: [{ name: 'to', i: onnx.TensorProto.DataType.FLOAT, type: onnx.AttributeProto.AttributeType.INT }],
        },
        { opType: 'Unsqueeze', input: ['mask', 'axes'], output: ['mask3'] },
        { opType: 'Mul', input: ['rows', 'mask3'], output: ['last_hidden_state'] },
      ],
    },
  });
  await writeFile(join(dir, 'onnx', 'model.onnx'), onnx.ModelProto.encode(model).finish());
  return { dir, vocab, table, dims };
}
