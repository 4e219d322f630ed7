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

/** `PATCH /api/studies/:studyId` body: the title, deployment context or language; absent fields stay. */
export const UpdateStudyBody = Type.Object(
  {
    title: Type.Optional(ShortText(200)),
    context: Type.Optional(StudyContext),
    language: Type.Optional(StudyLanguage),
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
  createdAt: Timestamp,
});
/** Study. */
export type Study = Static<typeof Study>;

/** `GET /api/studies`. */
export const StudyList = Type.Object({ studies: Type.Array(Study) });
/** Study list. */
export type StudyList = Static<typeof StudyList>;
