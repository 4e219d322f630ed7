import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, ShortText } from './common.js';
import { StudyLanguage } from './studies.js';

/** A stage of the CALMA process. */
export const StageName = Type.Union([
  Type.Literal('familiarize'),
  Type.Literal('interact'),
  Type.Literal('reflect'),
  Type.Literal('discuss'),
]);
/** Stage name. */
export type StageName = Static<typeof StageName>;

/** One orientation page: a title and Markdown (rendered without raw HTML). */
export const OrientationPage = Type.Object({
  title: ShortText(200),
  markdown: Type.String({ maxLength: 50_000 }),
});
/** Orientation page. */
export type OrientationPage = Static<typeof OrientationPage>;

/** A practice response with its reference labels (owner's view). */
export const PracticeItem = Type.Object({
  id: Id,
  prompt: Type.String({ maxLength: 5_000 }),
  response: ShortText(10_000),
  referenceLabels: Type.Array(ShortText(200), { maxItems: 50 }),
});
/** Practice item. */
export type PracticeItem = Static<typeof PracticeItem>;

/** A multiple-choice question with the index of its correct option (owner's view). */
export const CheckQuestion = Type.Object({
  id: Id,
  text: ShortText(1_000),
  options: Type.Array(ShortText(500), { maxItems: 10 }),
  correct: Type.Integer({ minimum: 0 }),
});
/** Check question. */
export type CheckQuestion = Static<typeof CheckQuestion>;

/**
 * `PUT /api/studies/:studyId/orientation` body and `GET` answer (admin): pages, practice and the
 * comprehension check, correct answers included. `passMark` is the number of correct answers
 * needed; `required` means the check must be passed before Interact.
 */
export const StudyOrientation = Type.Object({
  pages: Type.Array(OrientationPage, { maxItems: 30 }),
  practice: Type.Array(PracticeItem, { maxItems: 20 }),
  check: Type.Object({
    questions: Type.Array(CheckQuestion, { maxItems: 50 }),
    passMark: Type.Integer({ minimum: 0 }),
  }),
  required: Type.Boolean(),
});
/** Study orientation. */
export type StudyOrientation = Static<typeof StudyOrientation>;

/** `GET /api/studies/:studyId/orientation`: the orientation, and whether it is the shipped default. */
export const StudyOrientationResponse = Type.Composite([
  StudyOrientation,
  Type.Object({ isDefault: Type.Boolean({ description: 'No orientation was set: the shipped default is served' }) }),
]);
/** Study orientation response. */
export type StudyOrientationResponse = Static<typeof StudyOrientationResponse>;

/** `GET /api/groups/:groupId/orientation?lang=` query: the shipped default's language (default: the study's). */
export const OrientationQuery = Type.Object({ lang: Type.Optional(StudyLanguage) });
/** Orientation query. */
export type OrientationQuery = Static<typeof OrientationQuery>;

/**
 * `GET /api/groups/:groupId/orientation` (group members): the study's orientation without correct
 * answers and reference labels.
 */
export const GroupOrientation = Type.Object({
  pages: Type.Array(OrientationPage),
  practice: Type.Array(Type.Object({ id: Id, prompt: Type.String(), response: Type.String() })),
  check: Type.Object({
    questions: Type.Array(Type.Object({ id: Id, text: Type.String(), options: Type.Array(Type.String()) })),
    passMark: Type.Integer({ minimum: 0 }),
  }),
  required: Type.Boolean(),
  language: StudyLanguage,
});
/** Group orientation. */
export type GroupOrientation = Static<typeof GroupOrientation>;

/** `POST /api/groups/:groupId/orientation/read` body (participant): a page (0-based) was read. */
export const OrientationReadBody = Type.Object({ page: Type.Integer({ minimum: 0, maximum: 1_000 }) });
/** Orientation read body. */
export type OrientationReadBody = Static<typeof OrientationReadBody>;

/** `POST /api/groups/:groupId/check` body (participant): the chosen option index per question id. */
export const CheckBody = Type.Object({
  answers: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$' }), Type.Integer({ minimum: 0 }), {
    maxProperties: 100,
  }),
});
/** Check body. */
export type CheckBody = Static<typeof CheckBody>;

/** `POST /api/groups/:groupId/check` answer: `score` correct answers; `passed` when it reached the pass mark. */
export const CheckResponse = Type.Object({
  score: Type.Integer({ minimum: 0 }),
  passed: Type.Boolean(),
  total: Type.Integer({ minimum: 0 }),
  passMark: Type.Integer({ minimum: 0 }),
  attempts: Type.Integer({ minimum: 1, description: "This participant's attempts so far, this one included" }),
});
/** Check response. */
export type CheckResponse = Static<typeof CheckResponse>;

/** `POST /api/groups/:groupId/practice` body (participant): their labels per practice item. */
export const PracticeBody = Type.Object({
  answers: Type.Array(
    Type.Object({ itemId: Id, labels: Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 }) }),
    { minItems: 1, maxItems: 20 },
  ),
});
/** Practice body. */
export type PracticeBody = Static<typeof PracticeBody>;

/** How close one of the participant's labels came to a reference label, by meaning. */
export const LabelCloseness = Type.Object({
  label: Type.String(),
  nearest: Nullable(Type.String()),
  similarity: Type.Number({ description: 'Cosine similarity of the embeddings, 0–1' }),
  closeness: Type.Union([Type.Literal('close'), Type.Literal('related'), Type.Literal('different')]),
});
/** Label closeness. */
export type LabelCloseness = Static<typeof LabelCloseness>;

/** `POST /api/groups/:groupId/practice` answer: per item, the reference labels and how close the participant's were. */
export const PracticeResponse = Type.Object({
  items: Type.Array(
    Type.Object({ itemId: Id, referenceLabels: Type.Array(Type.String()), labels: Type.Array(LabelCloseness) }),
  ),
  model: Type.String({ description: 'The embedding model that measured closeness' }),
});
/** Practice response. */
export type PracticeResponse = Static<typeof PracticeResponse>;

/** `PUT /api/studies/:studyId/stages` body and `GET` answer (admin): open stages and user turns per participant. */
export const StudyStages = Type.Object({
  open: Type.Array(StageName, { uniqueItems: true, maxItems: 4 }),
  minTurns: Type.Integer({ minimum: 0, maximum: 1_000 }),
  maxTurns: Type.Integer({ minimum: 1, maximum: 1_000 }),
});
/** Study stages. */
export type StudyStages = Static<typeof StudyStages>;

const JourneyStepId = Type.Union([
  Type.Literal('orientation'),
  Type.Literal('practice'),
  Type.Literal('check'),
  Type.Literal('chat'),
  Type.Literal('code'),
  Type.Literal('discuss'),
]);

/** A participant's progress: their stage, each stage and step, and the counts behind them. */
export const JourneyProgress = Type.Object({
  stage: StageName,
  waiting: Type.Boolean({ description: 'The current stage is not open yet' }),
  stages: Type.Array(Type.Object({ stage: StageName, open: Type.Boolean(), done: Type.Boolean() })),
  steps: Type.Array(
    Type.Object({ id: JourneyStepId, stage: StageName, done: Type.Boolean(), required: Type.Boolean() }),
  ),
  pages: Type.Object({ read: Type.Integer(), total: Type.Integer() }),
  practice: Type.Object({ done: Type.Boolean(), items: Type.Integer() }),
  check: Type.Object({
    required: Type.Boolean(),
    passed: Type.Boolean(),
    attempts: Type.Integer(),
    bestScore: Nullable(Type.Integer()),
    passMark: Type.Integer(),
    questions: Type.Integer(),
  }),
  turns: Type.Object({ done: Type.Integer(), min: Type.Integer(), max: Type.Integer() }),
  conversations: Type.Integer(),
  labels: Type.Integer(),
  sessionId: Nullable(Id),
});
/** Journey progress. */
export type JourneyProgress = Static<typeof JourneyProgress>;

/** `GET /api/me/progress` (participant): their own progress, with the group it is in. */
export const MyProgress = Type.Composite([JourneyProgress, Type.Object({ groupId: Id, participantId: Id })]);
/** My progress. */
export type MyProgress = Static<typeof MyProgress>;

/** `GET /api/groups/:groupId/progress` (moderator, analyst): every participant's progress. */
export const GroupProgress = Type.Object({
  participants: Type.Array(Type.Object({ participantId: Id, displayName: Type.String(), progress: JourneyProgress })),
});
/** Group progress. */
export type GroupProgress = Static<typeof GroupProgress>;
