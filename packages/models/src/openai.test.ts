import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIProvider } from './openai.js';
import { type ChatChunk, type ModelSpec, ProviderError } from './provider.js';
import { type FakeOpenAI, fakeTokens, startFakeOpenAI } from './testing/fake-openai.js';

const reply = 'The Cherokee were forced west along the Trail of Tears in 1838.';

async function run(provider: OpenAIProvider, model: ModelSpec, signal = new AbortController().signal) {
  const tokens: string[] = [];
  let done: Extract<ChatChunk, { type: 'done' }> | undefined;
  let error: ProviderError | undefined;
  try {
    for await (const chunk of provider.stream({ model, messages: [{ role: 'user', content: 'Tell me' }], signal })) {
      if (chunk.type === 'token') tokens.push(chunk.text);
      else done = chunk;
    }
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    error = err;
  }
  return { tokens, text: tokens.join(''), done, error };
}

describe('the OpenAI-compatible provider against a wire-format fake', () => {
  let fake: FakeOpenAI;
  let model: ModelSpec;
  const provider = new OpenAIProvider({ env: { FAKE_KEY: 'sk-test' } });
  beforeAll(async () => {
    fake = await startFakeOpenAI({ reply, tokensPerSecond: 1000, apiKey: 'sk-test' });
    model = {
      id: 'm',
      label: 'Fake',
      provider: 'openai',
      baseUrl: fake.baseUrl,
      model: 'fake-model',
      apiKeyEnv: 'FAKE_KEY',
      params: { temperature: 0.2, maxTokens: 100, topP: 0.9 },
    };
  });
  afterAll(() => fake.close());

  it('streams the tokens in order, with usage and finish reason, and sends the params', async () => {
    const result = await run(provider, model);
    expect(result.error).toBeUndefined();
    expect(result.tokens).toEqual(fakeTokens(reply));
    expect(result.text).toBe(reply);
    expect(result.done?.finishReason).toBe('stop');
    expect(result.done?.usage?.completionTokens).toBe(fakeTokens(reply).length);
    const sent = fake.requests.at(-1);
    expect(sent?.authorization).toBe('Bearer sk-test');
    expect(sent?.body).toMatchObject({
      model: 'fake-model',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 100,
      top_p: 0.9,
    });
  });

  it('maps 429 to RATE_LIMITED (retryable, with retry-after) and does not retry by itself', async () => {
    const before = fake.requests.length;
    fake.script({ type: 'error', status: 429, retryAfterS: 2 });
    const { error } = await run(provider, model);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterS: 2 });
    expect(fake.requests.length - before).toBe(1);
  });

  it('maps 5xx and a refused connection to ENDPOINT_DOWN (retryable)', async () => {
    fake.script({ type: 'error', status: 503 });
    expect((await run(provider, model)).error).toMatchObject({ code: 'ENDPOINT_DOWN', retryable: true });
    const down = await run(provider, { ...model, baseUrl: 'http://127.0.0.1:1/v1' });
    expect(down.error).toMatchObject({ code: 'ENDPOINT_DOWN', retryable: true });
  });

  it('maps a missing key variable, a refused key and an unknown model', async () => {
    const missing = await run(provider, { ...model, apiKeyEnv: 'NOT_SET_ANYWHERE' });
    expect(missing.error?.code).toBe('KEY_MISSING');
    expect(missing.error?.message).toContain('NOT_SET_ANYWHERE');
    const wrong = await run(new OpenAIProvider({ env: { FAKE_KEY: 'sk-wrong' } }), model);
    expect(wrong.error?.code).toBe('KEY_MISSING');
    const unknown = await run(provider, { ...model, model: 'no-such-model' });
    expect(unknown.error?.code).toBe('MODEL_UNKNOWN');
  });

  it('says STREAM_BROKEN, not retryable, when the stream is cut or malformed after tokens were shown', async () => {
    fake.script({ type: 'drop', afterTokens: 3 });
    const dropped = await run(provider, model);
    expect(dropped.tokens).toEqual(fakeTokens(reply).slice(0, 3));
    expect(dropped.error).toMatchObject({ code: 'STREAM_BROKEN', retryable: false });
    fake.script({ type: 'malformed', afterTokens: 2 });
    const malformed = await run(provider, model);
    expect(malformed.tokens).toEqual(fakeTokens(reply).slice(0, 2));
    expect(malformed.error).toMatchObject({ code: 'STREAM_BROKEN', retryable: false });
    fake.script({ type: 'malformed', afterTokens: 0 });
    expect((await run(provider, model)).error).toMatchObject({ code: 'STREAM_BROKEN', retryable: true });
  });

  it("ends with the abort signal's reason when the caller aborts", async () => {
    fake.script({ type: 'slow-first-token', delayMs: 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new ProviderError('TIMEOUT', 'too slow')), 50);
    const started = Date.now();
    const { error } = await run(provider, model, controller.signal);
    expect(error).toMatchObject({ code: 'TIMEOUT', message: 'too slow' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('serves the models list and whole (non-streamed) completions', async () => {
    const headers = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };
    const list = (await (await fetch(`${fake.baseUrl}/models`, { headers })).json()) as { data: { id: string }[] };
    expect(list.data.map((m) => m.id)).toEqual(['fake-model']);
    const whole = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'fake-model', messages: [] }),
    });
    const body = (await whole.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe(reply);
  });
});
