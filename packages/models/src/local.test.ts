import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalProvider } from './local.js';
import { plainPrompt } from './local-generate.js';
import type { ChatChunk, ChatMessage, ModelSpec } from './provider.js';
import { ProviderError } from './provider.js';
import { type TinyCausalLm, tinyChatTemplate, writeTinyCausalLm } from './testing/tiny-causal-lm.js';

const root = await mkdtemp(join(tmpdir(), 'calma-tiny-lm-'));
const modelsDir = join(root, 'models');
let tiny: TinyCausalLm;
/** The same weights without a chat template, found under `modelsDir` by a hub-style id. */
let plain: TinyCausalLm;
let provider: LocalProvider;

beforeAll(async () => {
  env.allowRemoteModels = false;
  tiny = await writeTinyCausalLm(join(root, 'folders', 'tiny-lm'));
  plain = await writeTinyCausalLm(join(modelsDir, 'calma-test', 'tiny-plain'), { chatTemplate: false });
  provider = new LocalProvider({ modelsDir, allowDownloads: false });
});
afterAll(async () => {
  await provider.close();
  await rm(root, { recursive: true, force: true });
});

const spec = (model: string, params: ModelSpec['params'] = {}): ModelSpec => ({
  id: 'tiny',
  label: 'Tiny',
  provider: 'local',
  model,
  params: { temperature: 0, ...params },
});

async function collect(stream: AsyncIterable<ChatChunk>): Promise<{ tokens: string[]; done: ChatChunk | undefined }> {
  const tokens: string[] = [];
  let done: ChatChunk | undefined;
  for await (const chunk of stream) {
    if (chunk.type === 'token') tokens.push(chunk.text);
    else done = chunk;
  }
  return { tokens, done };
}

/** What greedy decoding of the tiny model gives, computed from its weights in plain JavaScript. */
async function expected(lm: TinyCausalLm, prompt: string, maxNew: number) {
  const tokenizer = await AutoTokenizer.from_pretrained(lm.dir, { local_files_only: true });
  const promptIds = tokenizer.encode(prompt, { add_special_tokens: false });
  const ids = lm.greedy(promptIds, maxNew);
  return {
    promptTokens: promptIds.length,
    ids,
    text: tokenizer.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }),
  };
}

async function templated(lm: TinyCausalLm, messages: ChatMessage[]): Promise<string> {
  const tokenizer = await AutoTokenizer.from_pretrained(lm.dir, { local_files_only: true });
  expect(tokenizer.chat_template).toBe(tinyChatTemplate);
  return tokenizer.apply_chat_template(messages, { tokenize: false, add_generation_prompt: true }) as string;
}

const signal = () => new AbortController().signal;

describe('local provider (transformers.js in a worker thread)', () => {
  it('streams the answer token by token through the chat template, ending with EOS as "stop"', async () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are a calm assistant.' },
      { role: 'user', content: 'Hello there' },
    ];
    const want = await expected(tiny, await templated(tiny, messages), 100);
    expect(want.ids.at(-1)).toBe(tiny.eosId);

    const { tokens, done } = await collect(provider.stream({ model: spec(tiny.dir), messages, signal: signal() }));
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.join('')).toBe(want.text);
    expect(done).toEqual({
      type: 'done',
      finishReason: 'stop',
      usage: {
        promptTokens: want.promptTokens,
        completionTokens: want.ids.length,
        totalTokens: want.promptTokens + want.ids.length,
      },
    });
  });

  it('stops at maxTokens with finishReason "length", multi-byte words intact', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'नमस्ते' }];
    const want = await expected(tiny, await templated(tiny, messages), 24);
    expect(want.ids).toHaveLength(24);
    expect(want.ids).not.toContain(tiny.eosId);

    const { tokens, done } = await collect(
      provider.stream({ model: spec(tiny.dir, { maxTokens: 24 }), messages, signal: signal() }),
    );
    expect(tokens.join('')).toBe(want.text);
    expect(done).toMatchObject({ finishReason: 'length', usage: { completionTokens: 24 } });
  });

  it('finds a hub-style id under the models directory and uses a plain prompt without a chat template', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: 'Tell me about the river' }];
    const want = await expected(plain, plainPrompt(messages), 100);
    expect(plainPrompt(messages)).toBe('User: Tell me about the river\n\nAssistant:');

    const { tokens, done } = await collect(
      provider.stream({ model: spec('calma-test/tiny-plain'), messages, signal: signal() }),
    );
    expect(tokens.join('')).toBe(want.text);
    expect(done).toMatchObject({ usage: { promptTokens: want.promptTokens, completionTokens: want.ids.length } });
  });

  it('answers two conversations asked at once, each its own answer, one after the other', async () => {
    const a: ChatMessage[] = [{ role: 'user', content: 'Hello there' }];
    const b: ChatMessage[] = [{ role: 'user', content: 'What is fair?' }];
    const [wantA, wantB] = await Promise.all([
      expected(tiny, await templated(tiny, a), 30),
      expected(tiny, await templated(tiny, b), 30),
    ]);
    expect(wantA.text).not.toBe(wantB.text);
    const [gotA, gotB] = await Promise.all([
      collect(provider.stream({ model: spec(tiny.dir, { maxTokens: 30 }), messages: a, signal: signal() })),
      collect(provider.stream({ model: spec(tiny.dir, { maxTokens: 30 }), messages: b, signal: signal() })),
    ]);
    expect(gotA.tokens.join('')).toBe(wantA.text);
    expect(gotB.tokens.join('')).toBe(wantB.text);
  });

  it('samples with temperature and topP, within maxTokens', async () => {
    const { tokens, done } = await collect(
      provider.stream({
        model: spec(tiny.dir, { temperature: 0.9, topP: 0.8, maxTokens: 16 }),
        messages: [{ role: 'user', content: 'ok' }],
        signal: signal(),
      }),
    );
    expect(done).toMatchObject({ type: 'done' });
    const completion = done?.type === 'done' ? (done.usage?.completionTokens ?? 0) : 0;
    expect(completion).toBeGreaterThan(0);
    expect(completion).toBeLessThanOrEqual(16);
    expect(tokens.length).toBeLessThanOrEqual(completion);
  });

  it('reports a folder it cannot load as MODEL_UNKNOWN, and loads it once it is complete', async () => {
    const dir = join(root, 'folders', 'half-copied');
    await writeTinyCausalLm(dir);
    await rm(join(dir, 'onnx'), { recursive: true });
    const broken = collect(
      provider.stream({ model: spec(dir), messages: [{ role: 'user', content: 'hi' }], signal: signal() }),
    );
    await expect(broken).rejects.toMatchObject({ code: 'MODEL_UNKNOWN' });
    await expect(broken).rejects.toThrow(/could not be loaded/);
    await writeTinyCausalLm(dir);
    await provider.preload({ model: dir });
    const { done } = await collect(
      provider.stream({
        model: spec(dir, { maxTokens: 3 }),
        messages: [{ role: 'user', content: 'hi' }],
        signal: signal(),
      }),
    );
    expect(done).toMatchObject({ usage: { completionTokens: 3 } });
  });

  it('stops generating when the signal aborts, with the abort reason, and the worker is free again', async () => {
    const controller = new AbortController();
    const messages: ChatMessage[] = [{ role: 'user', content: 'नमस्ते' }];
    const tokens: string[] = [];
    const run = async () => {
      for await (const chunk of provider.stream({
        model: spec(tiny.dir, { maxTokens: 20_000 }),
        messages,
        signal: controller.signal,
      })) {
        if (chunk.type === 'token') tokens.push(chunk.text);
        if (tokens.length === 3) controller.abort(new ProviderError('TIMEOUT', 'no next token in time', true));
      }
    };
    await expect(run()).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(tokens).toHaveLength(3);
    // Were the 20 000-token answer still running, this one would queue behind it.
    const started = Date.now();
    const next = await collect(
      provider.stream({ model: spec(tiny.dir, { maxTokens: 2 }), messages, signal: signal() }),
    );
    expect(next.done).toMatchObject({ finishReason: 'length' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps the event loop free while it generates', async () => {
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    const started = performance.now();
    const busy = performance.eventLoopUtilization();
    const { done } = await collect(
      provider.stream({
        model: spec(tiny.dir, { maxTokens: 400 }),
        messages: [{ role: 'user', content: 'नमस्ते' }],
        signal: signal(),
      }),
    );
    const utilization = performance.eventLoopUtilization(busy).utilization;
    clearInterval(timer);
    const took = performance.now() - started;
    expect(done).toMatchObject({ usage: { completionTokens: 400 } });
    // Generating on this thread keeps it ~100 % busy (measured: 0.998 for this model); from the
    // worker it only relays tokens (measured: 0.16).
    expect(utilization).toBeLessThan(0.5);
    // The timer fired throughout: about once per 5 ms, never held up for long.
    expect(gaps.length).toBeGreaterThan(took / 5 / 4);
    expect(Math.max(...gaps)).toBeLessThan(150);
  });

  it('says where to put an unknown hub model when downloads are off, without touching the network', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const failure = collect(provider.stream({ model: spec('nobody/not-a-model'), messages: [], signal: signal() }));
      await expect(failure).rejects.toBeInstanceOf(ProviderError);
      await expect(failure).rejects.toMatchObject({ code: 'MODEL_UNKNOWN' });
      await expect(failure).rejects.toThrow(join(modelsDir, 'nobody/not-a-model'));
      await expect(failure).rejects.toThrow('CALMA_MODEL_DOWNLOADS=allow');
      const folder = collect(
        provider.stream({ model: spec(join(root, 'no-such-folder')), messages: [], signal: signal() }),
      );
      await expect(folder).rejects.toMatchObject({ code: 'MODEL_UNKNOWN' });
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });
});
