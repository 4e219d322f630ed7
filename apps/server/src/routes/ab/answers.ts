import { type Database, recordedResponses, type StudyRow } from '@calma/db';
import {
  type ChatProvider,
  type ModelSpec,
  ProviderError,
  type ChatMessage as ProviderMessage,
  providerFor,
  streamAnswer,
} from '@calma/models';
import { ErrorCode } from '@calma/protocol';
import { AppError } from '../../errors.js';

/** Where an A/B round gets the provider of a study model (tests replace it). */
export type AbProviderSource = (spec: ModelSpec, studyId: string) => ChatProvider;

/** How long a model may take: to its first token, and between tokens. */
export interface AbAnswerLimits {
  firstTokenMs: number;
  idleMs: number;
}

/**
 * The default providers: `providerFor`, with replay bound to the study's recorded responses and
 * paced as fast as it goes (an A/B item shows whole answers, so streaming pace only costs time).
 */
export function defaultAbProviders(db: Database, local: ChatProvider | undefined): AbProviderSource {
  return (spec, studyId) =>
    providerFor(spec, {
      recorded: () => recordedResponses(db, studyId),
      replayWordsPerSecond: 100_000,
      ...(local ? { local } : {}),
    });
}

/** One whole answer, or a ProviderError (first-token and idle timeouts included). */
async function collect(
  provider: ChatProvider,
  model: ModelSpec,
  messages: ProviderMessage[],
  limits: AbAnswerLimits,
): Promise<string> {
  let text = '';
  await streamAnswer(provider, { model, messages, signal: new AbortController().signal }, limits, (token) => {
    text += token;
  });
  return text;
}

/**
 * Both models' answers to one prompt, under the study's system prompt, asked at the same time.
 * Two replay models of the same voice (`model`) replay the same recordings and would give the same answer, so then b is asked
 * after a, with a's answer in its history as already given (the replay provider then replays the
 * next closest recording). A failure of either is a 502 that names neither model: the participant
 * must not learn which model failed, and the moderator sees it in the log.
 */
export async function generateAbAnswers(
  source: AbProviderSource,
  study: StudyRow,
  models: { a: ModelSpec; b: ModelSpec },
  prompt: string,
  limits: AbAnswerLimits,
  log: (err: unknown, modelId: string) => void,
): Promise<{ a: string; b: string }> {
  const system = study.context.systemPrompt.trim();
  const history: ProviderMessage[] = [
    ...(system === '' ? [] : [{ role: 'system' as const, content: study.context.systemPrompt }]),
    { role: 'user', content: prompt },
  ];
  const ask = (model: ModelSpec, messages: ProviderMessage[]) =>
    collect(source(model, study.id), model, messages, limits).catch((err: unknown) => {
      log(err, model.id);
      const retry = err instanceof ProviderError && err.retryable;
      throw new AppError(
        502,
        ErrorCode.modelUnavailable,
        retry
          ? 'One of the models could not answer right now; try again in a moment'
          : 'One of the models could not answer; try another prompt, or tell the moderator',
      );
    });
  if (models.a.provider === 'replay' && models.b.provider === 'replay' && models.a.model === models.b.model) {
    const a = await ask(models.a, history);
    const b = await ask(models.b, [...history, { role: 'assistant', content: a }, { role: 'user', content: prompt }]);
    return { a, b };
  }
  const [a, b] = await Promise.all([ask(models.a, history), ask(models.b, history)]);
  return { a, b };
}
