import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Timestamp } from './common.js';

/** One chat turn of an Interact-stage conversation. */
export const Message = Type.Object({
  role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
  content: Type.String({ minLength: 1, maxLength: 50_000 }),
});
/** Message. */
export type Message = Static<typeof Message>;

/** An interaction to import. `id` may be given to keep the source's ids. */
export const InteractionInput = Type.Object({
  id: Type.Optional(Id),
  participantId: Type.Optional(Nullable(Id)),
  baseline: Type.Boolean(),
  messages: Type.Array(Message, { minItems: 1, maxItems: 200 }),
});
/** Interaction input. */
export type InteractionInput = Static<typeof InteractionInput>;

/** `POST /api/groups/:groupId/interactions` body. */
export const ImportInteractionsBody = Type.Object({
  interactions: Type.Array(InteractionInput, { minItems: 1, maxItems: 5_000 }),
});
/** Import-interactions body. */
export type ImportInteractionsBody = Static<typeof ImportInteractionsBody>;

/** Response of the import routes: the ids in input order. */
export const IdsResponse = Type.Object({ ids: Type.Array(Id) });
/** Ids response. */
export type IdsResponse = Static<typeof IdsResponse>;

/** A message as listed: chat turns also say how they ended and which model answered. */
export const ListedMessage = Type.Object({
  role: Message.properties.role,
  content: Type.String(),
  id: Type.Optional(Type.String()),
  status: Type.Optional(Type.String({ examples: ['complete', 'incomplete', 'failed'] })),
  model: Type.Optional(Type.String()),
});

/**
 * An interaction as the caller may see it. A chat (`source: "chat"`) is listed to its author as
 * typed, to staff masked, and to other participants only once shared, masked (`masked: true`).
 */
export const Interaction = Type.Object({
  id: Id,
  groupId: Id,
  participantId: Nullable(Id),
  baseline: Type.Boolean(),
  messages: Type.Array(ListedMessage),
  createdAt: Timestamp,
  source: Type.Optional(Type.Union([Type.Literal('import'), Type.Literal('chat')])),
  shared: Type.Optional(Type.Boolean()),
  masked: Type.Optional(Type.Boolean()),
  modelId: Type.Optional(Nullable(Type.String())),
});
/** Interaction. */
export type Interaction = Static<typeof Interaction>;

/** `GET /api/groups/:groupId/interactions`. */
export const InteractionList = Type.Object({ interactions: Type.Array(Interaction) });
/** Interaction list. */
export type InteractionList = Static<typeof InteractionList>;

/** Coding stage of a label: initial (open) coding or focused coding. */
export const LabelStage = Type.Union([Type.Literal('initial'), Type.Literal('focused')]);
/** Label stage. */
export type LabelStage = Static<typeof LabelStage>;

/**
 * A coded span of a message: character offsets counted in UTF-16 code units (JavaScript string
 * indices), `start` inclusive, `end` exclusive, `0 ≤ start < end ≤` the message's length.
 */
export const LabelSpan = Type.Object(
  {
    start: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    end: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
);
/** Label span. */
export type LabelSpan = Static<typeof LabelSpan>;

/** A label to add. */
export const LabelInput = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 500 }),
  annotation: Type.Optional(Nullable(Type.String({ maxLength: 5_000 }))),
  stage: LabelStage,
  participantId: Type.Optional(Nullable(Id)),
  interactionId: Type.Optional(Nullable(Id)),
  messageIndex: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
  /** Part of the assistant turn at `messageIndex` (needs `interactionId` and `messageIndex`); absent or null: the whole turn. */
  span: Type.Optional(Nullable(LabelSpan)),
});
/** Label input. */
export type LabelInput = Static<typeof LabelInput>;

/** `POST /api/groups/:groupId/labels` body. */
export const AddLabelsBody = Type.Object({
  labels: Type.Array(LabelInput, { minItems: 1, maxItems: 10_000 }),
});
/** Add-labels body. */
export type AddLabelsBody = Static<typeof AddLabelsBody>;

/** A label as stored. */
export const Label = Type.Object({
  id: Id,
  text: Type.String(),
  annotation: Nullable(Type.String()),
  stage: LabelStage,
  participantId: Nullable(Id),
  interactionId: Nullable(Id),
  messageIndex: Nullable(Type.Integer()),
  /** The coded span as stored; null: the whole turn. */
  span: Type.Optional(Nullable(Type.Object({ start: Type.Integer(), end: Type.Integer() }))),
  /** Present and true when the message was changed after coding and the span no longer fits it. */
  spanStale: Type.Optional(Type.Boolean()),
  createdAt: Timestamp,
});
/** Label. */
export type Label = Static<typeof Label>;

/** `GET /api/groups/:groupId/labels`. */
export const LabelList = Type.Object({ labels: Type.Array(Label) });
/** Label list. */
export type LabelList = Static<typeof LabelList>;
