import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Principal } from '@calma/core';
import {
  createConversation,
  type Database,
  findConversation,
  findGroup,
  findStudy,
  type InteractionRow,
  recordedResponses,
  type schema,
} from '@calma/db';
import {
  abortable,
  type ChatProvider,
  type ModelSpec,
  ProviderError,
  type ChatMessage as ProviderMessage,
  providerFor,
  type RecordedResponse,
  sleep,
} from '@calma/models';
import { ErrorCode, ModelFailure } from '@calma/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.js';
import { SlidingWindow } from './rate.js';
import { TurnWriter } from './turn-writer.js';

type InteractionMessage = schema.InteractionMessage;
type StudyRow = NonNullable<Awaited<ReturnType<typeof findStudy>>>;

/** The limits of Interact (see `config.ts` for their variables). */
export interface ChatLimits {
  /** No first token within this → TIMEOUT. */
  firstTokenMs: number;
  /** No next token within this → TIMEOUT. */
  idleMs: number;
  /** Retries of a retryable failure before any token. */
  retries: number;
  /** First retry's wait; doubled each time (a `retry-after` that asks more wins, up to `maxBackoffMs`). */
  backoffMs: number;
  maxBackoffMs: number;
  /** Messages (and retries) per participant per minute. */
  ratePerMinute: number;
  /** Longest message, in characters. */
  maxChars: number;
  /** How often a streaming answer is written. */
  writeEveryMs: number;
}

/** Where the service gets the provider for a study's model entry. */
export type ProviderSource = (spec: ModelSpec, studyId: string) => ChatProvider;

/** Who may create a conversation; throws the AppError to answer with (the familiarize gate). */
export type BeforeConversation = (who: { groupId: string; participantId: string }) => Promise<void>;

/** How a turn ended when it did not complete. */
export interface TurnFailure {
  reason: ModelFailure;
  message: string;
}

/** A turn's result: the assistant turn as stored (and as shown), and why it failed if it did. */
export interface TurnOutcome {
  assistant: InteractionMessage;
  failure: TurnFailure | null;
}

/** A checked turn, its user message stored, ready to ask the model. `run` must be called once. */
export interface PreparedTurn {
  readonly conversationId: string;
  readonly user: InteractionMessage;
  run(onToken: (text: string) => void, clientGone: AbortSignal): Promise<TurnOutcome>;
}

/** Why the service stopped a turn itself (not the provider failing). */
class TurnStopped extends Error {
  constructor(readonly reason: ModelFailure) {
    super(reason);
  }
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Interact: conversations pinned to a study model, and turns that store the user message before
 * the model is called and the answer as it streams, so that what the participant saw is what is
 * stored, whatever fails. One answer at a time per conversation (in this process).
 */
export class ChatService {
  readonly #active = new Map<string, { controller: AbortController; finished: Promise<unknown> }>();
  readonly #rate: SlidingWindow;
  readonly #recorded = new Map<string, { at: number; items: Promise<RecordedResponse[]> }>();
  readonly #providers: ProviderSource;
  /** Group → study: a group never changes study, so this is never stale. */
  readonly #studyIds = new Map<string, string>();
  #closing = false;

  constructor(
    private readonly db: Database,
    private readonly limits: ChatLimits,
    private readonly log: FastifyBaseLogger,
    options: {
      /** Replaces how providers are found (tests); by default `providerFor`. */
      providers?: ProviderSource | undefined;
      /** The local (transformers.js) provider, when the server runs one. */
      local?: ChatProvider | undefined;
    } = {},
  ) {
    this.#rate = new SlidingWindow(limits.ratePerMinute, 60_000);
    const local = options.local;
    this.#providers =
      options.providers ??
      ((spec, studyId) =>
        providerFor(spec, { recorded: () => this.#recordedOf(studyId), ...(local ? { local } : {}) }));
  }

  /** Starts a conversation for a participant with the model the study's assignment rule gives. */
  async createConversation(
    principal: Principal,
    groupId: string,
    requested: string | undefined,
  ): Promise<{ row: InteractionRow; model: ModelSpec; assignment: StudyRow['assignment'] }> {
    if (principal.role !== 'participant') throw forbidden('Only participants hold conversations');
    const study = await this.#studyOfGroup(groupId);
    const models = study.models;
    if (models.length === 0) throw conflict('This study has no model to chat with yet', ErrorCode.wrongState);
    let model: ModelSpec | undefined;
    if (study.assignment === 'choice') {
      if (!requested) throw badRequest('Choose a model: modelId is required in this study');
      model = models.find((m) => m.id === requested);
      if (!model) throw badRequest(`modelId ${requested} is not a model of this study`, ErrorCode.invalidReference);
    } else if (study.assignment === 'random') {
      model = models[randomInt(models.length)];
    } else {
      model = models[0];
    }
    if (!model) throw new Error('no model picked');
    const row = await createConversation(this.db, {
      groupId,
      participantId: principal.participantId,
      modelId: model.id,
      assignment: study.assignment,
    });
    return { row, model, assignment: study.assignment };
  }

  /** A conversation the principal may read (its participant; staff of its group), or 403/404. */
  async readable(principal: Principal, id: string): Promise<{ row: InteractionRow; study: StudyRow }> {
    const row = await findConversation(this.db, id);
    if (!row) throw notFound('Conversation');
    const mayRead =
      principal.role === 'admin' ||
      (principal.role === 'participant' && principal.participantId === row.participantId) ||
      ((principal.role === 'moderator' || principal.role === 'analyst') && principal.groupId === row.groupId);
    if (!mayRead) throw forbidden('Only its participant and the staff of its group may read this conversation');
    return { row, study: await this.#studyOfGroup(row.groupId) };
  }

  /**
   * Checks a new turn (or a retry of the last one) and stores the user message; what fails here
   * is answered before anything streams: 403, 404, 400 empty, 413 too long, 409 busy or over the
   * turn limit, 429 too many messages.
   */
  async prepare(
    principal: Principal,
    conversationId: string,
    input: { content: string } | { retry: true },
  ): Promise<PreparedTurn> {
    if (this.#closing) throw new AppError(503, ErrorCode.internal, 'The server is stopping; try again shortly');
    // The study is looked up from the caller's group at the same time: for the conversation's
    // participant it is the conversation's group, and this is the hot path of every turn.
    const [row, callersStudy] = await Promise.all([
      findConversation(this.db, conversationId),
      principal.role === 'participant' ? this.#studyOfGroup(principal.groupId).catch(() => null) : null,
    ]);
    if (!row) throw notFound('Conversation');
    if (principal.role !== 'participant' || principal.participantId !== row.participantId) {
      throw forbidden('Only the participant who started this conversation may write in it');
    }
    let content = '';
    if ('content' in input) {
      content = input.content.trim();
      if (content === '') throw badRequest('The message is empty');
      if (content.length > this.limits.maxChars) {
        throw new AppError(
          413,
          ErrorCode.payloadTooLarge,
          `The message is ${content.length} characters long; the limit is ${this.limits.maxChars}`,
        );
      }
    }
    const study =
      callersStudy && principal.groupId === row.groupId ? callersStudy : await this.#studyOfGroup(row.groupId);
    const model = study.models.find((m) => m.id === row.modelId);
    if (!model) {
      throw conflict('The model this conversation was pinned to is no longer in the study', ErrorCode.wrongState);
    }
    const messages = row.messages;
    let before: InteractionMessage[];
    let user: InteractionMessage;
    if ('retry' in input) {
      const lastUser = messages.findLastIndex((m) => m.role === 'user');
      const last = messages.at(-1);
      const unanswered = lastUser >= 0 && (last?.role === 'user' || (last && last.status !== 'complete'));
      const asked = messages[lastUser];
      if (!unanswered || !asked) throw conflict('There is no failed or cut-off answer to retry', ErrorCode.wrongState);
      // The failed answer stays in the record; the new one follows it.
      before = messages;
      user = asked;
    } else {
      const turns = messages.filter((m) => m.role === 'user').length;
      if (turns >= study.stages.maxTurns) {
        throw conflict(
          `This conversation has had its ${study.stages.maxTurns} turns; start a new conversation to go on`,
          ErrorCode.turnLimitReached,
        );
      }
      user = { id: randomUUID(), role: 'user', content, status: 'complete', createdAt: new Date().toISOString() };
      before = [...messages, user];
    }
    // Checked and taken with no await in between: two posts racing cannot both pass.
    if (this.#active.has(row.id)) {
      throw conflict('The previous answer is still coming; wait for it to finish', ErrorCode.answerInProgress);
    }
    const rate = this.#rate.take(principal.participantId);
    if (!rate.ok) {
      throw new AppError(
        429,
        ErrorCode.rateLimited,
        `Too many messages; try again in ${Math.ceil(rate.retryInMs / 1000)} s`,
      );
    }
    const controller = new AbortController();
    let finish = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    this.#active.set(row.id, { controller, finished });
    const release = () => {
      this.#active.delete(row.id);
      finish();
    };
    try {
      // The user's words are durable before the model is asked anything.
      if (!('retry' in input)) await new TurnWriter(this.db, row.id, messages, 0, () => {}).final(user);
    } catch (err) {
      release();
      throw err;
    }
    let ran = false;
    return {
      conversationId: row.id,
      user,
      run: async (onToken, clientGone) => {
        if (ran) throw new Error('a turn runs once');
        ran = true;
        const onGone = () => controller.abort(new TurnStopped(ModelFailure.clientGone));
        if (clientGone.aborted) onGone();
        clientGone.addEventListener('abort', onGone, { once: true });
        try {
          return await this.#answer({ row, study, model, before, onToken, signal: controller.signal });
        } finally {
          clientGone.removeEventListener('abort', onGone);
          release();
        }
      },
    };
  }

  /** Stops every answer in flight (stored as cut off by `SHUTDOWN`) and waits for their writes. */
  async close(): Promise<void> {
    this.#closing = true;
    const active = [...this.#active.values()];
    for (const turn of active) turn.controller.abort(new TurnStopped(ModelFailure.shutdown));
    // Bounded: a write stuck on a database that is going away must not hold the shutdown forever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(active.map((turn) => turn.finished)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, 10_000);
      }),
    ]);
    clearTimeout(timer);
  }

  async #answer(turn: {
    row: InteractionRow;
    study: StudyRow;
    model: ModelSpec;
    before: InteractionMessage[];
    onToken: (text: string) => void;
    signal: AbortSignal;
  }): Promise<TurnOutcome> {
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
    const every = () => Math.max(this.limits.writeEveryMs, this.#active.size * 20);
    const writer = new TurnWriter(this.db, row.id, before, every, (err) =>
      this.log.error({ err, conversationId: row.id }, 'storing a streaming answer failed'),
    );
    const provider = this.#providers(model, study.id);
    const started = performance.now();
    let content = '';
    let ttftMs: number | undefined;
    let result: { finishReason: string | null; usage?: InteractionMessage['usage'] } | null = null;
    let failure: TurnFailure | null = null;

    for (let attempt = 0; ; attempt++) {
      try {
        result = await this.#attempt(provider, model, history, signal, (text) => {
          if (ttftMs === undefined) ttftMs = Math.round(performance.now() - started);
          content += text;
          turn.onToken(text);
          writer.update({ ...base, content, ttftMs });
        });
        break;
      } catch (err) {
        failure = this.#failure(err, signal);
        const retryable = err instanceof ProviderError && err.retryable && content === '' && !signal.aborted;
        if (!retryable || attempt >= this.limits.retries) break;
        const backoff = Math.min(
          this.limits.maxBackoffMs,
          Math.max(this.limits.backoffMs * 2 ** attempt, (err.retryAfterS ?? 0) * 1000),
        );
        this.log.warn(
          { conversationId: row.id, modelId: model.id, attempt: attempt + 1, code: err.code, backoffMs: backoff },
          'model call failed before any token; retrying',
        );
        try {
          await sleep(backoff, signal);
        } catch {
          failure = this.#failure(signal.reason, signal);
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
      this.log.warn({ conversationId: row.id, modelId: model.id, reason: failure.reason }, 'model answer failed');
    }
    await writer.final(assistant);
    return { assistant, failure };
  }

  /** One model call with the first-token and idle timeouts; resolves with how it finished. */
  async #attempt(
    provider: ChatProvider,
    model: ModelSpec,
    messages: ProviderMessage[],
    outer: AbortSignal,
    onToken: (text: string) => void,
  ): Promise<{ finishReason: string | null; usage?: InteractionMessage['usage'] }> {
    const controller = new AbortController();
    const follow = () => controller.abort(outer.reason);
    if (outer.aborted) follow();
    outer.addEventListener('abort', follow, { once: true });
    const timeout = (ms: number, what: string) =>
      setTimeout(
        () =>
          controller.abort(
            new ProviderError('TIMEOUT', `${model.label} ${what} within ${Math.round(ms / 100) / 10} s`),
          ),
        ms,
      );
    let timer = timeout(this.limits.firstTokenMs, 'did not start answering');
    let first = true;
    try {
      const stream = provider.stream({ model, messages, signal: controller.signal });
      for await (const chunk of abortable(stream, controller.signal)) {
        if (chunk.type === 'done')
          return { finishReason: chunk.finishReason, ...(chunk.usage ? { usage: chunk.usage } : {}) };
        if (first) {
          first = false;
          clearTimeout(timer);
          timer = timeout(this.limits.idleMs, 'stopped answering');
        } else {
          timer.refresh();
        }
        onToken(chunk.text);
      }
      throw new ProviderError('STREAM_BROKEN', `${model.label}'s answer ended without finishing`);
    } finally {
      clearTimeout(timer);
      outer.removeEventListener('abort', follow);
    }
  }

  /** What to tell the participant for an error, preferring the service's own reason to stop. */
  #failure(err: unknown, signal: AbortSignal): TurnFailure {
    const stopped = signal.aborted && signal.reason instanceof TurnStopped ? signal.reason : null;
    if (stopped?.reason === ModelFailure.clientGone) {
      return { reason: stopped.reason, message: 'The participant left before the answer was finished' };
    }
    if (stopped) return { reason: stopped.reason, message: 'The server was stopping before the answer was finished' };
    if (err instanceof ProviderError) return { reason: err.code, message: failureMessage(err) };
    this.log.error({ err }, 'model call failed unexpectedly');
    return { reason: ModelFailure.modelError, message: 'The model call failed unexpectedly' };
  }

  async #studyOfGroup(groupId: string): Promise<StudyRow> {
    let studyId = this.#studyIds.get(groupId);
    if (studyId === undefined) {
      studyId = (await findGroup(this.db, groupId))?.studyId;
      if (studyId !== undefined && this.#studyIds.size < 100_000) this.#studyIds.set(groupId, studyId);
    }
    const study = studyId === undefined ? undefined : await findStudy(this.db, studyId);
    if (!study) throw notFound('Study');
    return study;
  }

  /** A study's recorded responses, read at most every 30 s (imports are rare, turns are not). */
  #recordedOf(studyId: string): Promise<RecordedResponse[]> {
    const cached = this.#recorded.get(studyId);
    if (cached && Date.now() - cached.at < 30_000) return cached.items;
    const items = recordedResponses(this.db, studyId);
    this.#recorded.set(studyId, { at: Date.now(), items });
    items.catch(() => this.#recorded.delete(studyId));
    return items;
  }
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
