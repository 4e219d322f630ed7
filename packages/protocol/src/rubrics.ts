import { type Static, Type } from '@sinclair/typebox';
import { Id } from './common.js';

/** A judge score, 1 (goes against the axis) to 5 (fully meets it). */
const Score = Type.Integer({ minimum: 1, maximum: 5 });

/** One score level of a rubric. */
export const RubricLevelBody = Type.Object({
  score: Score,
  description: Type.String({ maxLength: 4000 }),
});

/** A few-shot example of a rubric: a turn, the score it should get, and why. */
export const RubricExampleBody = Type.Object({
  interactionId: Id,
  messageIndex: Type.Integer({ minimum: 0 }),
  prompt: Type.Union([Type.String(), Type.Null()]),
  response: Type.String(),
  score: Score,
  reason: Type.String({ maxLength: 4000 }),
});

/** A judge rubric as stored and exported (`@calma/core`'s `JudgeRubric`). */
export const JudgeRubricBody = Type.Object({
  axisId: Id,
  name: Type.String(),
  definition: Type.String(),
  prompt: Type.String(),
  levels: Type.Array(RubricLevelBody),
  examples: Type.Array(RubricExampleBody),
});

/** One version of an axis's rubric: who wrote it (`built` for the generated first), when, and the ready template. */
export const RubricVersion = Type.Object({
  axisId: Id,
  version: Type.Integer({ minimum: 1 }),
  editedBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  rubric: JudgeRubricBody,
  template: Type.String({ description: 'The rubric as one prompt; {{prompt}} and {{response}} stand for the turn' }),
});
/** A rubric version. */
export type RubricVersion = Static<typeof RubricVersion>;

/** `GET /api/sessions/:id/rubrics` response: the latest version per axis, in the group's order. */
export const SessionRubrics = Type.Object({ rubrics: Type.Array(RubricVersion) });
/** Session rubrics. */
export type SessionRubrics = Static<typeof SessionRubrics>;

/** `GET /api/sessions/:id/rubrics/:axisId/versions` response: the history, oldest first. */
export const RubricVersions = Type.Object({ versions: Type.Array(RubricVersion) });
/** Rubric versions. */
export type RubricVersions = Static<typeof RubricVersions>;

/**
 * `PUT /api/sessions/:id/rubrics/:axisId` body: the next version, written on `baseVersion` (409
 * when that is no longer the latest). Examples may be removed, reordered, rescored or given another
 * reason; their quoted text is the server's (an example must be one of the axis's turns or of an
 * earlier version), so an edit cannot put unmasked text into an export.
 */
export const RubricEditBody = Type.Object({
  prompt: Type.String({ maxLength: 20_000 }),
  levels: Type.Array(RubricLevelBody, { minItems: 5, maxItems: 5 }),
  examples: Type.Array(
    Type.Object({
      interactionId: Id,
      messageIndex: Type.Integer({ minimum: 0 }),
      score: Score,
      reason: Type.String({ maxLength: 4000 }),
      prompt: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      response: Type.Optional(Type.String()),
    }),
    { maxItems: 20 },
  ),
  baseVersion: Type.Integer({ minimum: 1 }),
});
/** Rubric edit body. */
export type RubricEditBody = Static<typeof RubricEditBody>;
