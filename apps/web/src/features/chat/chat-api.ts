import type { ChatMessage, Conversation, ConversationList, GroupModels, ModelProvider } from '@calma/protocol';
import { ApiError, api, networkErrorStatus } from '../../lib/api';
import { readSse } from './sse';

// The contract's types, as the server declares them (`@calma/protocol`).
export type { ChatMessage, Conversation, GroupModels, ModelProvider };
/** A conversation in the participant's list (`GET /api/groups/:groupId/conversations`). */
export type ConversationSummary = ConversationList['conversations'][number];
/** A model as a participant may see it (never its endpoint or key). */
export type ModelChoice = GroupModels['models'][number];

const groupPath = (groupId: string) => `/api/groups/${encodeURIComponent(groupId)}`;
const conversationPath = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;

/** Starts a conversation; `modelId` only when the study lets the participant choose. */
export const createConversation = (groupId: string, token: string | null, modelId?: string) =>
  api<{ id: string; modelId: string }>(`${groupPath(groupId)}/conversations`, {
    method: 'POST',
    token,
    body: modelId ? { modelId } : {},
  });

/** A conversation with every stored message. */
export const getConversation = (id: string, token: string | null, signal?: AbortSignal) =>
  api<Conversation>(conversationPath(id), { token, signal });

/** How one send (or retry) ended, after the tokens were handed to `onToken`. */
export type StreamOutcome =
  | { type: 'done'; message: ChatMessage }
  | { type: 'error'; error: { code: string; message: string; reason?: string }; message?: ChatMessage };

/** What a stream reports while it runs. */
export interface StreamHandlers {
  /** The server has stored the user turn (the response started): the draft may be forgotten. */
  onAccepted?: () => void;
  onToken: (text: string) => void;
}

const parse = (data: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

const isErrorShape = (value: unknown): value is { code: string; message: string; reason?: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { code?: unknown }).code === 'string' &&
  typeof (value as { message?: unknown }).message === 'string';

// i18n-ignore: codes and server words; the page says them through chat:failure.*
const broken = { code: 'STREAM_BROKEN', message: 'The answer stopped before it was complete.' };

/**
 * POSTs to a streaming route (`…/messages` or `…/retry`) with `accept: text/event-stream` and reads
 * the Server-Sent Events as they arrive (EventSource cannot POST). A refusal before anything was
 * stored (400, 403, 409, 413, 429) throws {@link ApiError}; once the stream has started, every
 * ending, a cut connection included, is a {@link StreamOutcome}.
 */
export async function streamAnswer(
  path: string,
  body: unknown,
  token: string | null,
  handlers: StreamHandlers,
  signal?: AbortSignal,
): Promise<StreamOutcome> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: {
        accept: 'text/event-stream',
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body ?? {}),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    // i18n-ignore: shown through errorText (lib/errors.ts), which translates by code
    throw new ApiError(networkErrorStatus, 'NETWORK_ERROR', 'Could not reach the Calma server.');
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.includes('text/event-stream')) {
    const data = parse(await response.text());
    const error = data.error;
    if (!response.ok && isErrorShape(error)) {
      // A 502 answered as JSON: the model failed but the user turn is stored.
      if (response.status === 502) {
        handlers.onAccepted?.();
        return { type: 'error', error, message: data.message as ChatMessage | undefined };
      }
      throw new ApiError(response.status, error.code, error.message);
    }
    if (!response.ok) throw new ApiError(response.status, `HTTP_${response.status}`, response.statusText);
    // A JSON answer (201 {user, assistant}): a server that does not stream still answers.
    handlers.onAccepted?.();
    const assistant = data.assistant as ChatMessage | undefined;
    if (assistant) {
      handlers.onToken(assistant.content);
      return { type: 'done', message: assistant };
    }
    return { type: 'error', error: broken };
  }
  handlers.onAccepted?.();
  if (!response.body) return { type: 'error', error: broken };
  try {
    for await (const event of readSse(response.body)) {
      const data = parse(event.data);
      if (event.event === 'token' && typeof data.text === 'string') handlers.onToken(data.text);
      else if (event.event === 'done') return { type: 'done', message: data.message as ChatMessage };
      else if (event.event === 'error')
        return {
          type: 'error',
          error: isErrorShape(data.error) ? data.error : broken,
          message: data.message as ChatMessage | undefined,
        };
    }
  } catch (error) {
    if (signal?.aborted) throw error;
  }
  return { type: 'error', error: broken };
}

/** Sends a user turn and streams the answer. */
export const sendMessage = (
  conversationId: string,
  content: string,
  token: string | null,
  handlers: StreamHandlers,
  signal?: AbortSignal,
) => streamAnswer(`${conversationPath(conversationId)}/messages`, { content }, token, handlers, signal);

/** Asks again for the answer to the last user turn (after an incomplete or failed one). */
export const retryAnswer = (
  conversationId: string,
  token: string | null,
  handlers: StreamHandlers,
  signal?: AbortSignal,
) => streamAnswer(`${conversationPath(conversationId)}/retry`, {}, token, handlers, signal);

/** Failure codes with a sentence of their own in the `chat` namespace (`failure.<code>`). */
export const failureCodes = [
  'ENDPOINT_DOWN',
  'KEY_MISSING',
  'MODEL_UNKNOWN',
  'RATE_LIMITED',
  'TIMEOUT',
  'STREAM_BROKEN',
  'MODEL_ERROR',
  'MODEL_UNAVAILABLE',
  'NETWORK_ERROR',
] as const;

/** One of {@link failureCodes}. */
export type FailureCode = (typeof failureCodes)[number];

const isFailureCode = (code: unknown): code is FailureCode =>
  typeof code === 'string' && (failureCodes as readonly string[]).includes(code);

/**
 * The most specific failure code among what the server said: the provider's own code (endpoint
 * down, key missing, …) wins over the route's general `MODEL_UNAVAILABLE`.
 */
export function failureCode(...candidates: ({ code?: string; reason?: string } | undefined)[]): FailureCode {
  const codes = candidates.flatMap((c) => [c?.reason, c?.code]).filter(isFailureCode);
  return codes.find((c) => c !== 'MODEL_UNAVAILABLE') ?? codes[0] ?? 'MODEL_UNAVAILABLE';
}
