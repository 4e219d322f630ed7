import { createHash, randomUUID } from 'node:crypto';
import type { Database, InteractionRow, StudyRow, schema } from '@calma/db';
import {
  type ChatProvider,
  type ModelSpec,
  ProviderError,
  type ChatMessage as ProviderMessage,
  sleep,
  streamAnswer,
} from '@calma/models';
import { ModelFailure } from '@calma/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { ChatLimits, TurnFailure, TurnOutcome } from './service.js';
import { TurnWriter } from './turn-writer.js';

type InteractionMessage = schema.InteractionMessage;

/** Why the service stopped a turn itself (not the provider failing). */
export class TurnStopped extends Error {
  constructor(readonly reason: ModelFailure) {
    super(reason);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** What answering a turn needs from the service. */
export interface AnswerDeps {
  db: Database;
  limits: ChatLimits;
  log: FastifyBaseLogger;
  provider: ChatProvider;
  /** How many answers are streaming now (streaming writes thin out as it grows). */
  streaming: () => number;
}

/**
 * Asks the model for one answer: retries a retryable failure before any token, relays tokens,
 * writes the answer as it streams and stores its final state, whatever happened.
 */
export async function answerTurn(
  deps: AnswerDeps,
  turn: {
    row: InteractionRow;
    study: StudyRow;
    model: ModelSpec;
    before: InteractionMessage[];
    onToken: (text: string) => void;
    signal: AbortSignal;
  },
): Promise<TurnOutcome> {
  const { row, study, model, before, signal } = turn;
  const systemPrompt = study.context.systemPrompt;
  const history: ProviderMessage[] = [
    ...(systemPrompt.trim() === '' ? [] : [{ role: 'system' as const, content: systemPrompt }]),
    // Only what was asked and what was answered whole: a cut-off answer is not the model's word.
    ...before
      .filter((m) => m.role === 'user' || m.status === undefined || m.status === 'complete')
      .map((m) => ({ role: m.role, content: m.content })),
  ];
  const base: InteractionMessage = {
    id: randomUUID(),
    role: 'assistant',
    content: '',
    status: 'incomplete',
    createdAt: new Date().toISOString(),
    modelId: model.id,
    provider: model.provider,
    model: model.model,
    ...(model.params ? { params: model.params } : {}),
    systemPromptSha256: sha256(systemPrompt),
  };
  // One answer is written every `writeEveryMs`; many at once, less often each, so that the
  // database sees at most ~50 streaming writes a second however many answers are streaming
  // (on PGlite a write holds the event loop that relays every other answer's tokens).
  const every = () => Math.max(deps.limits.writeEveryMs, deps.streaming() * 20);
  const writer = new TurnWriter(deps.db, row.id, before, every, (err) =>
    deps.log.error({ err, conversationId: row.id }, 'storing a streaming answer failed'),
  );
  const provider = deps.provider;
  const started = performance.now();
  let content = '';
  let ttftMs: number | undefined;
  let result: { finishReason: string | null; usage?: InteractionMessage['usage'] } | null = null;
  let failure: TurnFailure | null = null;

  for (let attempt = 0; ; attempt++) {
    try {
      result = await attemptOnce(deps.limits, provider, model, history, signal, (text) => {
        if (ttftMs === undefined) ttftMs = Math.round(performance.now() - started);
        content += text;
        turn.onToken(text);
        writer.update({ ...base, content, ttftMs });
      });
      break;
    } catch (err) {
      failure = failureOf(deps.log, err, signal);
      const retryable = err instanceof ProviderError && err.retryable && content === '' && !signal.aborted;
      if (!retryable || attempt >= deps.limits.retries) break;
      const backoff = Math.min(
        deps.limits.maxBackoffMs,
        Math.max(deps.limits.backoffMs * 2 ** attempt, (err.retryAfterS ?? 0) * 1000),
      );
      deps.log.warn(
        { conversationId: row.id, modelId: model.id, attempt: attempt + 1, code: err.code, backoffMs: backoff },
        'model call failed before any token; retrying',
      );
      try {
        await sleep(backoff, signal);
      } catch {
        failure = failureOf(deps.log, signal.reason, signal);
        break;
      }
      failure = null;
    }
  }

  const latencyMs = Math.round(performance.now() - started);
  const assistant: InteractionMessage = {
    ...base,
    content,
    status: failure ? (content === '' ? 'failed' : 'incomplete') : 'complete',
    ...(ttftMs === undefined ? {} : { ttftMs }),
    latencyMs,
    ...(result?.usage ? { usage: result.usage } : {}),
    finishReason: result?.finishReason ?? null,
    ...(failure ? { error: { code: failure.reason, message: failure.message } } : {}),
  };
  if (failure) {
    deps.log.warn({ conversationId: row.id, modelId: model.id, reason: failure.reason }, 'model answer failed');
  }
  await writer.final(assistant);
  return { assistant, failure };
}

/** One model call with the first-token and idle timeouts (`streamAnswer`); resolves with how it finished. */
function attemptOnce(
  limits: ChatLimits,
  provider: ChatProvider,
  model: ModelSpec,
  messages: ProviderMessage[],
  outer: AbortSignal,
  onToken: (text: string) => void,
): Promise<{ finishReason: string | null; usage?: InteractionMessage['usage'] }> {
  return streamAnswer(provider, { model, messages, signal: outer }, limits, onToken);
}

/** What to tell the participant for an error, preferring the service's own reason to stop. */
function failureOf(log: FastifyBaseLogger, err: unknown, signal: AbortSignal): TurnFailure {
  const stopped = signal.aborted && signal.reason instanceof TurnStopped ? signal.reason : null;
  if (stopped?.reason === ModelFailure.clientGone) {
    return { reason: stopped.reason, message: 'The participant left before the answer was finished' };
  }
  if (stopped) return { reason: stopped.reason, message: 'The server was stopping before the answer was finished' };
  if (err instanceof ProviderError) return { reason: err.code, message: failureMessage(err) };
  log.error({ err }, 'model call failed unexpectedly');
  return { reason: ModelFailure.modelError, message: 'The model call failed unexpectedly' };
}

/** The sentence a participant sees: what happened, and whether trying again may help. */
function failureMessage(err: ProviderError): string {
  switch (err.code) {
    case 'ENDPOINT_DOWN':
      return `The model cannot be reached right now (${err.message}). Try again in a moment.`;
    case 'KEY_MISSING':
      return `The model is not set up correctly: ${err.message}. Tell the study's organisers.`;
    case 'MODEL_UNKNOWN':
      return `The model is not available: ${err.message}. Tell the study's organisers.`;
    case 'RATE_LIMITED':
      return `The model is busy (${err.message}). Try again in a moment.`;
    case 'TIMEOUT':
      return `The model took too long: ${err.message}. Try again.`;
    case 'STREAM_BROKEN':
      return `The answer broke off: ${err.message}. Try again.`;
    case 'MODEL_ERROR':
      return `The model could not answer: ${err.message}.`;
  }
}
