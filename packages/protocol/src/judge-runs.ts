import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Timestamp } from './common.js';

/** The error code of a classifier run whose axes have too few coded examples. */
export const JudgeRunErrorCode = {
  tooFewExamples: 'TOO_FEW_EXAMPLES',
  /** The study has no model with `modelId`, or it went away before the run finished. */
  modelUnknown: 'MODEL_UNKNOWN',
  /** The session has no final attributes to judge along. */
  noAxes: 'NO_AXES',
  /** The judge model failed for a turn and kept failing (its code says how, e.g. ENDPOINT_DOWN). */
  modelFailed: 'MODEL_FAILED',
  /** The server stopped during the run and could not resume it. */
  internal: 'INTERNAL_ERROR',
} as const;

/** `POST /api/sessions/:sessionId/judge-runs` body. */
export const JudgeRunRequest = Type.Object(
  {
    kind: Type.Union([Type.Literal('llm'), Type.Literal('classifier')]),
    modelId: Type.Optional(Id),
    interactionIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 5000, uniqueItems: true })),
  },
  { additionalProperties: false },
);
/** Judge run request. */
export type JudgeRunRequest = Static<typeof JudgeRunRequest>;

/** One score: an assistant turn along one axis, 1–5. */
export const JudgeRunScore = Type.Object({
  interactionId: Id,
  messageIndex: Type.Integer({ minimum: 0 }),
  axisId: Id,
  score: Type.Integer({ minimum: 1, maximum: 5 }),
  rationale: Type.Optional(Nullable(Type.String({ description: "The judge's reason (LLM) or p (classifier)" }))),
});
/** Judge run score. */
export type JudgeRunScore = Static<typeof JudgeRunScore>;

/** How well the judge reproduces the people on one axis (their examples, held out). */
export const JudgeRunAgreement = Type.Object({
  axisId: Id,
  name: Type.Optional(Type.String()),
  n: Type.Integer({ minimum: 0, description: 'Examples compared (positive + negative)' }),
  accuracy: Nullable(
    Type.Number({ minimum: 0, maximum: 1, description: 'Share of examples judged on the right side' }),
  ),
  positives: Type.Optional(Type.Integer({ minimum: 0 })),
  negatives: Type.Optional(Type.Integer({ minimum: 0 })),
  positiveAccuracy: Type.Optional(Nullable(Type.Number())),
  negativeAccuracy: Type.Optional(Nullable(Type.Number())),
  alpha: Type.Optional(Nullable(Type.Number({ description: "Krippendorff's α (interval), judge vs people (5/1)" }))),
  borrowedNegatives: Type.Optional(
    Type.Boolean({ description: 'The negatives were the turns tied to the other axes (the axis had none of its own)' }),
  ),
  method: Type.Optional(Type.String({ description: '`leave-one-out` (classifier) or `in-sample` (LLM)' })),
});
/** Judge run agreement. */
export type JudgeRunAgreement = Static<typeof JudgeRunAgreement>;

const RunFields = {
  id: Id,
  sessionId: Id,
  kind: Type.Union([Type.Literal('llm'), Type.Literal('classifier')]),
  modelId: Nullable(Id),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  progress: Type.Object({ done: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) }),
  agreement: Type.Array(JudgeRunAgreement),
  error: Nullable(Type.Object({ code: Type.String(), message: Type.String() })),
  tokens: Type.Integer({ minimum: 0 }),
  ms: Type.Integer({ minimum: 0, description: 'Time spent judging, summed over the items' }),
  axes: Type.Array(Type.Object({ id: Id, name: Type.String() })),
  rubricVersions: Type.Record(Type.String(), Type.Integer()),
  createdAt: Timestamp,
  finishedAt: Nullable(Timestamp),
};

/** A judge run without its scores (listings). */
export const JudgeRunSummary = Type.Object(RunFields);
/** Judge run summary. */
export type JudgeRunSummary = Static<typeof JudgeRunSummary>;

/** `GET /api/judge-runs/:runId`: the run and every score stored so far. */
export const JudgeRun = Type.Object({
  ...RunFields,
  scores: Type.Array(JudgeRunScore),
  failures: Type.Array(
    Type.Object({
      interactionId: Id,
      messageIndex: Type.Integer({ minimum: 0 }),
      axisId: Id,
      reason: Type.String({ description: 'Why the judge gave no score (e.g. a reply without one, asked twice)' }),
    }),
    { description: 'Items the judge gave no score; a resumed run asks them again' },
  ),
});
/** Judge run. */
export type JudgeRun = Static<typeof JudgeRun>;

/** `GET /api/sessions/:sessionId/judge-runs`. */
export const JudgeRunList = Type.Object({ runs: Type.Array(JudgeRunSummary) });
/** Judge run list. */
export type JudgeRunList = Static<typeof JudgeRunList>;
