import { abortReason, sleep } from './abort.js';
import { type ChatChunk, type ChatProvider, type ChatRequest, type ModelSpec, ProviderError } from './provider.js';

/** A recorded assistant response, with the user turn it answered when the record has one. */
export interface RecordedResponse {
  prompt?: string;
  response: string;
}

/** Where the replay provider finds a study's recorded responses (the server binds it to a study). */
export type RecordedResponses = (model: ModelSpec) => Promise<RecordedResponse[]>;

/** How fast replayed answers stream, in words per second. */
export const replayWordsPerSecond = 25;

const stopWords = new Set(
  'a about again all also an and any are as at be been but by can could did do does each explain for from give had has have he her here him his how i in into is it its just know like me more most my not of on once only or other our please she should so some such tell than that the their them then there these they this those to us very was we were what when where which who why will with would you your'.split(
    ' ',
  ),
);

/**
 * A word without its commonest English endings, so that "celebrate" meets "celebrated" and
 * "Americans" meets "American" (crude on purpose: both sides of a comparison are cut alike).
 */
function stem(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  for (const ending of ['ing', 'ed', 'es', 's', 'e']) {
    if (word.endsWith(ending) && !word.endsWith('ss') && word.length - ending.length >= 4) {
      return word.slice(0, -ending.length);
    }
  }
  return word;
}

/** The content words of a text, lower-cased and stemmed (letters and digits of any script). */
export function contentWords(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return new Set(words.filter((w) => w.length > 1 && !stopWords.has(w)).map(stem));
}

/**
 * The recorded response closest in words to `question`: the content words it shares with the
 * recorded prompt (counted twice) and the response, each weighted by how rare it is among the
 * records (so "colonialism" says more than "people"), relative to the record's length. Ties go
 * to a pick that depends on the question, so different questions do not all get the first record;
 * a response already given in this conversation is only chosen again when nothing else is left.
 */
export function pickRecorded(
  question: string,
  recorded: readonly RecordedResponse[],
  alreadyGiven: ReadonlySet<string> = new Set(),
): RecordedResponse | undefined {
  const asked = contentWords(question);
  const words = recorded.map((item) => ({
    prompt: contentWords(item.prompt ?? ''),
    response: contentWords(item.response),
  }));
  const weight = new Map<string, number>();
  for (const w of asked) {
    const df = words.filter((x) => x.prompt.has(w) || x.response.has(w)).length;
    weight.set(w, Math.log(1 + recorded.length / (df || 1)));
  }
  let hash = 0;
  for (const ch of question) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  let best: { item: RecordedResponse; score: number; order: number } | undefined;
  recorded.forEach((item, index) => {
    const { prompt, response } = words[index] as { prompt: Set<string>; response: Set<string> };
    let shared = 0;
    for (const w of asked) shared += ((prompt.has(w) ? 2 : 0) + (response.has(w) ? 1 : 0)) * (weight.get(w) ?? 0);
    const repeated = alreadyGiven.has(item.response) ? -1000 : 0;
    const score = repeated + shared / Math.sqrt(Math.sqrt(response.size + prompt.size + 1));
    const order = (index + hash) % recorded.length;
    if (!best || score > best.score || (score === best.score && order < best.order)) best = { item, score, order };
  });
  return best?.item;
}

/** The replay model that answers with the first two sentences of the recording (see {@link replayedText}). */
export const briefReplayModel = 'replay-brief';

/**
 * What a replay model says of a recording: the whole response, or for {@link briefReplayModel}
 * its first two sentences — a second, terser voice, so that an A/B round on the demo compares two
 * answers that differ in a way people can judge (detail, context), with no network.
 */
export function replayedText(response: string, model: string): string {
  if (model !== briefReplayModel) return response;
  const sentences = response.match(/[^.!?।]+(?:[.!?।]+|$)\s*/gu) ?? [];
  const brief = sentences.slice(0, 2).join('').trim();
  return brief === '' ? response : brief;
}

/**
 * Offline answers for demos and training: the study's recorded response closest to the last user
 * turn, streamed word by word at a modest pace. It never pretends: the provider is `replay`,
 * which the stored turn and the web app's badge show.
 */
export class ReplayProvider implements ChatProvider {
  readonly kind = 'replay' as const;

  constructor(
    private readonly recorded: RecordedResponses,
    private readonly options: { wordsPerSecond?: number } = {},
  ) {}

  async *stream(request: ChatRequest): AsyncIterable<ChatChunk> {
    const question = request.messages.findLast((m) => m.role === 'user')?.content ?? '';
    const given = new Set(request.messages.filter((m) => m.role === 'assistant').map((m) => m.content));
    const recorded = (await this.recorded(request.model)).filter((r) => r.response.trim() !== '');
    const pick = pickRecorded(question, recorded, given);
    if (!pick) {
      throw new ProviderError(
        'MODEL_UNKNOWN',
        `${request.model.label} has no recorded answers to replay in this study`,
      );
    }
    const pause = 1000 / (this.options.wordsPerSecond ?? replayWordsPerSecond);
    // Words with the spaces before them, so that the pieces concatenate to the recorded text.
    const pieces = replayedText(pick.response, request.model.model).match(/\s*\S+/g) ?? [];
    for (const piece of pieces) {
      await sleep(pause, request.signal);
      yield { type: 'token', text: piece };
    }
    if (request.signal.aborted) throw abortReason(request.signal);
    const promptWords = request.messages.reduce((n, m) => n + (m.content.match(/\S+/g)?.length ?? 0), 0);
    yield {
      type: 'done',
      finishReason: 'stop',
      usage: { promptTokens: promptWords, completionTokens: pieces.length, totalTokens: promptWords + pieces.length },
    };
  }
}
