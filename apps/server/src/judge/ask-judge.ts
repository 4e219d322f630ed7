import type { JudgeMessage } from '@calma/core';
import { type ChatProvider, type ModelSpec, ProviderError, sleep, streamAnswer } from '@calma/models';

/** How long a judge call may take and how often a retryable failure is tried again. */
export interface JudgeCallLimits {
  /** No first token within this → TIMEOUT. */
  firstTokenMs: number;
  /** No next token within this → TIMEOUT. */
  idleMs: number;
  /** Retries of a retryable failure (429, 5xx, connection refused). */
  retries: number;
  /** First retry's wait, doubled each time (a longer `retry-after` wins, up to `maxBackoffMs`). */
  backoffMs: number;
  maxBackoffMs: number;
}

/** The chat service's defaults, so a judge is as patient as Interact. */
export const defaultJudgeCallLimits: JudgeCallLimits = {
  firstTokenMs: 30_000,
  idleMs: 30_000,
  retries: 2,
  backoffMs: 500,
  maxBackoffMs: 8_000,
};

/**
 * The judge model's whole reply and its token count, retrying retryable failures with backoff.
 * Throws the last `ProviderError` when retries run out, or the signal's reason when aborted.
 */
export async function askJudge(
  provider: ChatProvider,
  model: ModelSpec,
  messages: readonly JudgeMessage[],
  limits: JudgeCallLimits,
  signal: AbortSignal,
): Promise<{ text: string; tokens: number }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(provider, model, messages, limits, signal);
    } catch (err) {
      const retryable = err instanceof ProviderError && err.retryable && !signal.aborted;
      if (!retryable || attempt >= limits.retries) throw err;
      const backoff = Math.min(
        limits.maxBackoffMs,
        Math.max(limits.backoffMs * 2 ** attempt, (err.retryAfterS ?? 0) * 1000),
      );
      await sleep(backoff, signal);
    }
  }
}

async function attemptOnce(
  provider: ChatProvider,
  model: ModelSpec,
  messages: readonly JudgeMessage[],
  limits: JudgeCallLimits,
  signal: AbortSignal,
): Promise<{ text: string; tokens: number }> {
  let text = '';
  const { usage } = await streamAnswer(
    provider,
    { model, messages: messages.map((m) => ({ ...m })), signal },
    { ...limits, retryable: true },
    (token) => {
      text += token;
    },
  );
  const tokens = usage?.totalTokens ?? (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0);
  return { text, tokens };
}
