import { type Static, Type } from '@sinclair/typebox';
import { Attribute } from './attributes.js';
import { Id, Nullable, Timestamp } from './common.js';

/** A conversation on a participant's artifacts page, as the caller may see it. */
export const ArtifactConversation = Type.Object({
  id: Id,
  /** True: the participant's own conversation; false: material they coded (the baseline set, an import, another's shared chat). */
  own: Type.Boolean(),
  baseline: Type.Boolean(),
  source: Type.Union([Type.Literal('import'), Type.Literal('chat')]),
  shared: Type.Boolean(),
  /** Personal data masked, as the visibility rule shows it to this caller. */
  masked: Type.Boolean(),
  messages: Type.Array(
    Type.Object({ role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]), content: Type.String() }),
  ),
});
/** Artifact conversation. */
export type ArtifactConversation = Static<typeof ArtifactConversation>;

/** One of the participant's codes (a label). */
export const ArtifactCode = Type.Object({
  id: Id,
  text: Type.String(),
  note: Nullable(Type.String()),
  stage: Type.Union([Type.Literal('initial'), Type.Literal('focused')]),
  interactionId: Nullable(Id),
  messageIndex: Nullable(Type.Integer()),
  /**
   * The coded part of the turn, in UTF-16 offsets into the message as listed in `conversations`
   * (a masked turn's span follows its words; null when the code is on the whole turn, or its
   * words were masked).
   */
  span: Nullable(Type.Object({ start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 1 }) })),
  /** The stored span no longer fits its message (edited since it was coded). */
  spanStale: Type.Optional(Type.Boolean()),
  createdAt: Timestamp,
});
/** Artifact code. */
export type ArtifactCode = Static<typeof ArtifactCode>;

/**
 * `GET /api/groups/:groupId/participants/:participantId/artifacts`: what one participant made for
 * segment 0. The participant sees all of their own; others what is shared with them (chats
 * masked, shared attributes); staff what staff may see elsewhere.
 */
export const ParticipantArtifacts = Type.Object({
  participant: Type.Object({ id: Id, name: Type.String() }),
  conversations: Type.Array(ArtifactConversation),
  codes: Type.Array(ArtifactCode),
  attributes: Type.Array(Attribute),
});
/** Participant artifacts. */
export type ParticipantArtifacts = Static<typeof ParticipantArtifacts>;
