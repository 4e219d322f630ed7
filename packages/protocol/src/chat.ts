import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, ShortText, Timestamp } from './common.js';

/** Where a study model's answers come from. */
export const ModelProvider = Type.Union([Type.Literal('openai'), Type.Literal('local'), Type.Literal('replay')]);
/** Model provider. */
export type ModelProvider = Static<typeof ModelProvider>;

/** Sampling settings of a study model. */
export const ModelParams = Type.Object({
  temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
  maxTokens: Type.Optional(Type.Integer({ minimum: 1, maximum: 131_072 })),
  topP: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
});
/** Model params. */
export type ModelParams = Static<typeof ModelParams>;

/** The name of an environment variable (never a key: keys live in the server's environment only). */
export const EnvVarName = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

/**
 * A model of a study. `baseUrl` (http or https) is where an `openai` model is served (default:
 * OpenAI's API); `model` is the name the provider knows it by (a hub id or directory for `local`);
 * `apiKeyEnv` names the environment variable that holds its API key.
 */
export const StudyModel = Type.Object({
  id: Id,
  label: ShortText(200),
  provider: ModelProvider,
  baseUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 2_000 })),
  model: ShortText(500),
  params: Type.Optional(ModelParams),
  apiKeyEnv: Type.Optional(EnvVarName),
});
/** Study model. */
export type StudyModel = Static<typeof StudyModel>;

/** How a new conversation gets its model: the first one, a random one, or the participant's pick. */
export const ModelAssignment = Type.Union([Type.Literal('fixed'), Type.Literal('random'), Type.Literal('choice')]);
/** Model assignment. */
export type ModelAssignment = Static<typeof ModelAssignment>;

/** `PUT /api/studies/:studyId/models` body and the answer of `GET`/`PUT` on that path. */
export const StudyModels = Type.Object({
  models: Type.Array(StudyModel, { maxItems: 20 }),
  assignment: ModelAssignment,
});
/** Study models. */
export type StudyModels = Static<typeof StudyModels>;

/**
 * `GET /api/groups/:groupId/models` (group members): what a participant may choose from, without
 * where the models are served or which variable holds their key.
 */
export const GroupModels = Type.Object({
  models: Type.Array(Type.Object({ id: Id, label: Type.String(), provider: ModelProvider, model: Type.String() })),
  assignment: ModelAssignment,
});
/** Group models. */
export type GroupModels = Static<typeof GroupModels>;

/** `POST /api/groups/:groupId/conversations` body; `modelId` is required when the study lets participants choose. */
export const CreateConversationBody = Type.Object({ modelId: Type.Optional(Id) });
/** Create-conversation body. */
export type CreateConversationBody = Static<typeof CreateConversationBody>;

/** `POST /api/groups/:groupId/conversations` → 201. */
export const CreatedConversation = Type.Object({
  id: Id,
  modelId: Id,
  /** The model entry's label and provider (`replay` answers are recorded ones: badge them). */
  modelLabel: Type.String(),
  provider: ModelProvider,
  assignment: ModelAssignment,
});
/** Created conversation. */
export type CreatedConversation = Static<typeof CreatedConversation>;

/** How an answer ended: whole, cut off after some text was shown, or failed before any. */
export const MessageStatus = Type.Union([Type.Literal('complete'), Type.Literal('incomplete'), Type.Literal('failed')]);
/** Message status. */
export type MessageStatus = Static<typeof MessageStatus>;

/** Token counts of an answer, as the provider reported them. */
export const TokenUsage = Type.Object({
  promptTokens: Type.Optional(Type.Integer()),
  completionTokens: Type.Optional(Type.Integer()),
  totalTokens: Type.Optional(Type.Integer()),
});

/**
 * Why an answer failed (the `reason` of a `MODEL_UNAVAILABLE` error and the `code` of a stored
 * turn's `error`): the provider's codes, and `CLIENT_GONE` (the participant left mid-answer; the
 * call is stopped) or `SHUTDOWN` (the server was stopping).
 */
export const ModelFailure = {
  endpointDown: 'ENDPOINT_DOWN',
  keyMissing: 'KEY_MISSING',
  modelUnknown: 'MODEL_UNKNOWN',
  rateLimited: 'RATE_LIMITED',
  timeout: 'TIMEOUT',
  streamBroken: 'STREAM_BROKEN',
  modelError: 'MODEL_ERROR',
  clientGone: 'CLIENT_GONE',
  shutdown: 'SHUTDOWN',
} as const;
/** One of the {@link ModelFailure} values. */
export type ModelFailure = (typeof ModelFailure)[keyof typeof ModelFailure];

/** A turn of a conversation as the API shows it. `model` is the provider's model name that answered. */
export const ChatMessage = Type.Object({
  id: Type.String(),
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
  content: Type.String(),
  status: MessageStatus,
  createdAt: Type.Optional(Timestamp),
  modelId: Type.Optional(Type.String()),
  provider: Type.Optional(ModelProvider),
  model: Type.Optional(Type.String()),
  params: Type.Optional(ModelParams),
  systemPromptSha256: Type.Optional(Type.String()),
  ttftMs: Type.Optional(Type.Number()),
  latencyMs: Type.Optional(Type.Number()),
  usage: Type.Optional(TokenUsage),
  finishReason: Type.Optional(Nullable(Type.String())),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});
/** Chat message. */
export type ChatMessage = Static<typeof ChatMessage>;

/** `GET /api/conversations/:id`. */
export const Conversation = Type.Object({
  id: Id,
  groupId: Id,
  participantId: Nullable(Id),
  modelId: Nullable(Type.String()),
  modelLabel: Nullable(Type.String()),
  provider: Nullable(ModelProvider),
  shared: Type.Boolean(),
  /** Turns the participant has left in this conversation (the study's `maxTurns` less those taken). */
  turnsLeft: Type.Integer(),
  /** The longest message the server takes, in characters (`CALMA_CHAT_MAX_CHARS`); longer is refused with 413. */
  maxChars: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  messages: Type.Array(ChatMessage),
});
/** Conversation. */
export type Conversation = Static<typeof Conversation>;

/** `GET /api/groups/:groupId/conversations`: the caller's own (staff: every one of the group), newest first. */
export const ConversationList = Type.Object({
  conversations: Type.Array(
    Type.Object({
      id: Id,
      participantId: Nullable(Id),
      modelId: Nullable(Type.String()),
      shared: Type.Boolean(),
      turns: Type.Integer(),
      /** The first user turn, shortened, to tell conversations apart. */
      title: Type.String(),
      createdAt: Timestamp,
      updatedAt: Timestamp,
    }),
  ),
});
/** Conversation list. */
export type ConversationList = Static<typeof ConversationList>;

/** `POST /api/conversations/:id/messages` body. Past the server's length limit → 413. */
export const PostMessageBody = Type.Object({ content: Type.String() });
/** Post-message body. */
export type PostMessageBody = Static<typeof PostMessageBody>;

/** `POST /api/conversations/:id/messages` (and `/retry`) → 201 without `accept: text/event-stream`. */
export const ChatExchange = Type.Object({ user: ChatMessage, assistant: ChatMessage });
/** Chat exchange. */
export type ChatExchange = Static<typeof ChatExchange>;

/** A failed answer: 502 body, and the `error` event's payload. `message` is the turn as stored. */
export const ChatFailure = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'MODEL_UNAVAILABLE' }),
    message: Type.String(),
    reason: Type.String({ description: 'One of ModelFailure: ENDPOINT_DOWN, KEY_MISSING, MODEL_UNKNOWN, TIMEOUT, …' }),
  }),
  message: ChatMessage,
});
/** Chat failure. */
export type ChatFailure = Static<typeof ChatFailure>;

/** `event: user`: the stored user turn, sent first. */
export const ChatUserEvent = Type.Object({ message: ChatMessage });
/** `event: token`: a piece of the answer as the model streamed it. */
export const ChatTokenEvent = Type.Object({ text: Type.String() });
/** `event: done`: the answer as stored, complete. */
export const ChatDoneEvent = Type.Object({ message: ChatMessage });

/**
 * The server-sent events of a streamed answer, by `event:` name: `user` (the stored user turn,
 * first), `token` as the model streams, then one of `done` or `error` ({@link ChatFailure}).
 */
export interface ChatEvents {
  user: Static<typeof ChatUserEvent>;
  token: Static<typeof ChatTokenEvent>;
  done: Static<typeof ChatDoneEvent>;
  error: ChatFailure;
}
