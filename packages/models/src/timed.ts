import { abortable } from './abort.js';
import { type ChatProvider, type ChatRequest, ProviderError, type Usage } from './provider.js';

/** How long one model call may take: to its first token, and between tokens. */
export interface AnswerTimeouts {
  readonly firstTokenMs: number;
  readonly idleMs: number;
  /** Whether a timeout or a stream that breaks off may be retried (a judge retries; a chat does not). */
  readonly retryable?: boolean;
}

/**
 * One model call with the first-token and idle timeouts: relays each token to `onToken` and
 * resolves with how the answer finished. A timeout throws `TIMEOUT` (even when the provider throws
 * its own abort error as the stream is cut), an answer that ends without `done` throws
 * `STREAM_BROKEN`, and aborting `request.signal` throws its reason. The one way chat, A/B rounds
 * and judges call a model.
 */
export async function streamAnswer(
  provider: ChatProvider,
  request: ChatRequest,
  limits: AnswerTimeouts,
  onToken: (text: string) => void,
): Promise<{ finishReason: string | null; usage?: Usage }> {
  const { model, signal: outer } = request;
  const controller = new AbortController();
  const follow = () => controller.abort(outer.reason);
  if (outer.aborted) follow();
  outer.addEventListener('abort', follow, { once: true });
  const retryable = limits.retryable ?? false;
  const timeout = (ms: number, what: string) =>
    setTimeout(
      () =>
        controller.abort(
          new ProviderError('TIMEOUT', `${model.label} ${what} within ${Math.round(ms / 100) / 10} s`, retryable),
        ),
      ms,
    );
  let timer = timeout(limits.firstTokenMs, 'did not start answering');
  let first = true;
  try {
    const stream = provider.stream({ ...request, signal: controller.signal });
    for await (const chunk of abortable(stream, controller.signal)) {
      if (chunk.type === 'done')
        return { finishReason: chunk.finishReason, ...(chunk.usage ? { usage: chunk.usage } : {}) };
      if (first) {
        first = false;
        clearTimeout(timer);
        timer = timeout(limits.idleMs, 'stopped answering');
      } else {
        timer.refresh();
      }
      onToken(chunk.text);
    }
    throw new ProviderError('STREAM_BROKEN', `${model.label}'s answer ended without finishing`, retryable);
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
