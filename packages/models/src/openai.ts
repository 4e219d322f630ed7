import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { abortReason } from './abort.js';
import { type ChatChunk, type ChatProvider, type ChatRequest, ProviderError, type Usage } from './provider.js';

/** Where a model entry without `baseUrl` is sent: OpenAI's own API. */
export const defaultOpenAIBaseUrl = 'https://api.openai.com/v1';

/** What the OpenAI-compatible provider reads besides the request. */
export interface OpenAIProviderOptions {
  /** Where `apiKeyEnv` is looked up; `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp server, Ollama, LM Studio, hosted
 * APIs) through the official `openai` client. The client's own retries are off: the chat service
 * retries, so that every attempt is timed and logged, and none happens once tokens were shown.
 */
export class OpenAIProvider implements ChatProvider {
  readonly kind = 'openai' as const;
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #clients = new Map<string, OpenAI>();

  constructor(options: OpenAIProviderOptions = {}) {
    this.#env = options.env ?? process.env;
  }

  async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
    const spec = request.model;
    const client = this.#client(spec.baseUrl ?? defaultOpenAIBaseUrl, this.#apiKey(spec.apiKeyEnv, spec.label));
    let shown = false;
    let finishReason: string | null = null;
    let usage: Usage | undefined;
    try {
      const stream = await client.chat.completions.create(
        {
          model: spec.model,
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...(spec.params?.temperature === undefined ? {} : { temperature: spec.params.temperature }),
          ...(spec.params?.maxTokens === undefined ? {} : { max_tokens: spec.params.maxTokens }),
          ...(spec.params?.topP === undefined ? {} : { top_p: spec.params.topP }),
        },
        { signal: request.signal },
      );
      for await (const chunk of stream) {
        if (typeof chunk !== 'object' || chunk === null || !Array.isArray(chunk.choices)) {
          throw new ProviderError('STREAM_BROKEN', `${spec.label} sent a chunk that is not a chat completion chunk`);
        }
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (typeof text === 'string' && text !== '') {
          shown = true;
          yield { type: 'token', text };
        }
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
            totalTokens: chunk.usage.total_tokens,
          };
        }
      }
    } catch (err) {
      throw toProviderError(err, request, shown);
    }
    // The client ends an aborted stream quietly, and so does a body that stops without `[DONE]`.
    if (request.signal.aborted) throw abortReason(request.signal);
    if (finishReason === null) {
      throw new ProviderError('STREAM_BROKEN', `${spec.label}'s answer stopped before it was finished`, !shown);
    }
    yield { type: 'done', finishReason, ...(usage ? { usage } : {}) };
  }

  #apiKey(apiKeyEnv: string | undefined, label: string): string {
    // Local servers (Ollama, llama.cpp, vLLM without --api-key) take any key; the client wants one.
    if (!apiKeyEnv) return 'no-key';
    const key = this.#env[apiKeyEnv]?.trim();
    if (!key) {
      throw new ProviderError(
        'KEY_MISSING',
        `The API key for ${label} is missing: the environment variable ${apiKeyEnv} is not set on the server`,
      );
    }
    return key;
  }

  #client(baseURL: string, apiKey: string): OpenAI {
    const cacheKey = `${baseURL}\n${apiKey}`;
    let client = this.#clients.get(cacheKey);
    if (!client) {
      if (this.#clients.size >= 32) this.#clients.clear();
      client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 10 * 60_000, logLevel: 'off' });
      this.#clients.set(cacheKey, client);
    }
    return client;
  }
}

/** Seconds from a `retry-after` (seconds or HTTP date) or `retry-after-ms` header, when given. */
function retryAfterSeconds(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms)) return ms / 1000;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/**
 * Maps whatever the client threw onto the one error type. Nothing is retryable once tokens were
 * shown: a retry would show the participant a different answer than the one stored.
 */
export function toProviderError(err: unknown, request: ChatRequest, shown: boolean): ProviderError {
  const { label, baseUrl, apiKeyEnv } = request.model;
  const where = baseUrl ?? defaultOpenAIBaseUrl;
  if (request.signal.aborted) return abortReason(request.signal);
  if (err instanceof ProviderError) return err;
  if (err instanceof APIUserAbortError) return abortReason(request.signal);
  if (err instanceof APIConnectionError) {
    return shown
      ? new ProviderError('STREAM_BROKEN', `The connection to ${label} broke off during the answer`)
      : new ProviderError('ENDPOINT_DOWN', `${label} cannot be reached at ${where}`, true);
  }
  if (err instanceof APIError && err.status !== undefined) {
    const status = err.status;
    const code = typeof err.code === 'string' ? err.code : '';
    if (status === 401 || status === 403) {
      return new ProviderError(
        'KEY_MISSING',
        apiKeyEnv
          ? `${label} refused the API key in ${apiKeyEnv} (HTTP ${status})`
          : `${label} wants an API key: name its environment variable in apiKeyEnv (HTTP ${status})`,
      );
    }
    if (status === 404 || code === 'model_not_found') {
      return new ProviderError('MODEL_UNKNOWN', `${where} does not know the model "${request.model.model}"`);
    }
    if (status === 429) {
      return new ProviderError(
        'RATE_LIMITED',
        `${label} is receiving too many requests`,
        !shown,
        retryAfterSeconds(err.headers),
      );
    }
    if (status >= 500) {
      return new ProviderError('ENDPOINT_DOWN', `${label} answered with a server error (HTTP ${status})`, !shown);
    }
    return new ProviderError('MODEL_ERROR', `${label} refused the request (HTTP ${status}): ${err.message}`);
  }
  if (err instanceof APIError) {
    // An error object inside the stream.
    return new ProviderError('MODEL_ERROR', `${label} reported an error during the answer: ${err.message}`);
  }
  // A malformed chunk (SyntaxError) or a body cut off mid-way (undici's "terminated").
  return new ProviderError(
    'STREAM_BROKEN',
    shown ? `${label}'s answer broke off before it was finished` : `${label} sent an answer Calma could not read`,
    !shown,
  );
}
