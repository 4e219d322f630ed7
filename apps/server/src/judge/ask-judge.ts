import type { JudgeMessage } from '@calma/core';
import { abortable, type ChatProvider, type ModelSpec, ProviderError, sleep } from '@calma/models';

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
  outer: AbortSignal,
): Promise<{ text: string; tokens: number }> {
  const controller = new AbortController();
  const follow = () => controller.abort(outer.reason);
  if (outer.aborted) follow();
  outer.addEventListener('abort', follow, { once: true });
  const timeout = (ms: number, what: string) =>
    setTimeout(
      () => controller.abort(new ProviderError('TIMEOUT', `${model.label} ${what} within ${ms} ms`, true)),
      ms,
    );
  let timer = timeout(limits.firstTokenMs, 'did not start answering');
  let text = '';
  try {
    const stream = provider.stream({ model, messages: messages.map((m) => ({ ...m })), signal: controller.signal });
    for await (const chunk of abortable(stream, controller.signal)) {
      if (chunk.type === 'done') {
        const usage = chunk.usage;
        const tokens = usage?.totalTokens ?? (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0);
        return { text, tokens };
      }
      clearTimeout(timer);
      timer = timeout(limits.idleMs, 'stopped answering');
      text += chunk.text;
    }
    throw new ProviderError('STREAM_BROKEN', `${model.label}'s answer ended without finishing`, true);
  } catch (err) {
    // A timeout aborts the stream: what the provider throws then is the abort, not the reason.
    if (controller.signal.aborted && !outer.aborted && controller.signal.reason instanceof ProviderError)
      throw controller.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', follow);
  }
}
