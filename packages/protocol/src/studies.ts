import { type Static, Type } from '@sinclair/typebox';
import { Id, ShortText, Timestamp } from './common.js';

/** The deployment context a study's model is aligned for. */
export const StudyContext = Type.Object({
  name: ShortText(200),
  description: Type.String({ maxLength: 10_000 }),
  systemPrompt: Type.String({ maxLength: 20_000 }),
});
/** Study context. */
export type StudyContext = Static<typeof StudyContext>;

/** A language the web app is written in; a study's default for its participants. */
export const StudyLanguage = Type.Union([Type.Literal('en'), Type.Literal('hi')]);
/** Study language. */
export type StudyLanguage = Static<typeof StudyLanguage>;

/** `POST /api/studies` body. `language` (default `en`) is what participants see unless they choose. */
export const CreateStudyBody = Type.Object({
  title: ShortText(200),
  context: StudyContext,
  language: Type.Optional(StudyLanguage),
});
/** Create-study body. */
export type CreateStudyBody = Static<typeof CreateStudyBody>;

/** A stage of the CALMA process, in order. */
export const StageName = Type.Union([
  Type.Literal('familiarize'),
  Type.Literal('interact'),
  Type.Literal('reflect'),
  Type.Literal('discuss'),
]);

/** Stage settings: which stages are open and how many turns a participant has per conversation. */
export const StudyStages = Type.Object({
  open: Type.Array(StageName, { maxItems: 4, uniqueItems: true }),
  minTurns: Type.Integer({ minimum: 0, maximum: 1000 }),
  maxTurns: Type.Integer({ minimum: 1, maximum: 1000 }),
});
/** Study stages. */
export type StudyStages = Static<typeof StudyStages>;

/** `PATCH /api/studies/:studyId` body: what the study set-up changes; absent fields stay. */
export const UpdateStudyBody = Type.Object(
  {
    title: Type.Optional(ShortText(200)),
    context: Type.Optional(StudyContext),
    language: Type.Optional(StudyLanguage),
    stages: Type.Optional(StudyStages),
  },
  { additionalProperties: false },
);
/** Update-study body. */
export type UpdateStudyBody = Static<typeof UpdateStudyBody>;

/** A study as the API returns it. */
export const Study = Type.Object({
  id: Id,
  title: Type.String(),
  context: StudyContext,
  language: StudyLanguage,
  stages: Type.Optional(StudyStages),
  createdAt: Timestamp,
});
/** Study. */
export type Study = Static<typeof Study>;

/** `GET /api/studies`. */
export const StudyList = Type.Object({ studies: Type.Array(Study) });
/** Study list. */
export type StudyList = Static<typeof StudyList>;
