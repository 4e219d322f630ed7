import { randomInt, randomUUID } from 'node:crypto';
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
import { type ChatProvider, type ModelSpec, providerFor, type RecordedResponse } from '@calma/models';
import { ErrorCode, ModelFailure } from '@calma/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, badRequest, conflict, forbidden, notFound } from '../errors.js';
import { answerTurn, TurnStopped } from './answer.js';
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
    readonly limits: ChatLimits,
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
          return await answerTurn(
            {
              db: this.db,
              limits: this.limits,
              log: this.log,
              provider: this.#providers(model, study.id),
              streaming: () => this.#active.size,
            },
            { row, study, model, before, onToken, signal: controller.signal },
          );
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
