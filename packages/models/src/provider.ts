/**
 * One interface for every way Calma gets a model's answer: an OpenAI-compatible endpoint, a local
 * transformers.js model, or the replay of recorded transcripts. Providers only stream; storing,
 * retrying and timing are the caller's (the server's chat service).
 */

/** A message as providers take it: the system prompt first, then the conversation so far. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Sampling settings of a study model. */
export interface ModelParams {
  temperature?: number;
  maxTokens?: number;
  topP?: number;
}

/** Token counts as the provider reported them (OpenAI's `usage`), or as counted locally. */
export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  totalTokens?: number;
}

/** A study model entry, as the study set-up stores it. API keys are only named by `apiKeyEnv`. */
export interface ModelSpec {
  id: string;
  label: string;
  provider: 'openai' | 'local' | 'replay';
  baseUrl?: string;
  model: string;
  params?: ModelParams;
  apiKeyEnv?: string;
}

/** What a provider is asked. `signal` aborts the call (timeout, participant gone, shutdown). */
export interface ChatRequest {
  model: ModelSpec;
  messages: ChatMessage[];
  signal: AbortSignal;
}

/** What a provider yields: text as it arrives, then one `done`. */
export type ChatChunk = { type: 'token'; text: string } | { type: 'done'; finishReason: string | null; usage?: Usage };

/** A way to get a model's answer. */
export interface ChatProvider {
  readonly kind: ModelSpec['provider'];
  /** Streams the answer. Throws a `ProviderError` for anything the participant should be told. */
  stream(request: ChatRequest): AsyncIterable<ChatChunk>;
}

/** Why a model call failed, in words a participant and a study owner can act on. */
export type ProviderErrorCode =
  /** The endpoint could not be reached, or answered with a server error. */
  | 'ENDPOINT_DOWN'
  /** The environment variable `apiKeyEnv` names is not set, or the endpoint refused the key. */
  | 'KEY_MISSING'
  /** The endpoint (or the local directory) does not know the model. */
  | 'MODEL_UNKNOWN'
  /** The endpoint said too many requests (429). */
  | 'RATE_LIMITED'
  /** No first token, or no next token, within the time allowed. */
  | 'TIMEOUT'
  /** The stream broke off or sent something that is not the wire format. */
  | 'STREAM_BROKEN'
  /** Anything else the provider refused (e.g. a 400 for a too-long prompt). */
  | 'MODEL_ERROR';

/** A failed model call. `retryable` ones (429, 5xx, connection refused before any token) may be retried. */
export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly retryable = false,
    /** Seconds the endpoint asked to wait (`retry-after`), when it said. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}
