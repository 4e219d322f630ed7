import { type Static, Type } from '@sinclair/typebox';
import { Id } from './common.js';
import { Message } from './material.js';

/** `POST /api/conversations/:id/share` body: share the conversation (masked) or withhold it again. */
export const ShareBody = Type.Object({ shared: Type.Boolean() });
/** Share body. */
export type ShareBody = Static<typeof ShareBody>;

/** A masked span of a message: which message, what kind, where in the original text. */
export const MaskedSpan = Type.Object({
  messageIndex: Type.Integer({ minimum: 0 }),
  kind: Type.String({ examples: ['email', 'phone', 'url', 'name'] }),
  start: Type.Integer({ minimum: 0 }),
  end: Type.Integer({ minimum: 0 }),
});
/** Masked span. */
export type MaskedSpan = Static<typeof MaskedSpan>;

/**
 * `POST /api/conversations/:id/share` and `GET /api/conversations/:id/shared-preview`: whether it
 * is shared, and the messages as others see them (personal data masked).
 */
export const SharedConversation = Type.Object({
  id: Id,
  shared: Type.Boolean(),
  messages: Type.Array(Message),
  masked: Type.Array(MaskedSpan),
});
/** Shared conversation. */
export type SharedConversation = Static<typeof SharedConversation>;

/** The transcript file formats. */
export const TranscriptFormat = Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('ocml')]);
/** Transcript format. */
export type TranscriptFormat = Static<typeof TranscriptFormat>;

/** `GET /api/groups/:groupId/transcripts` query. */
export const TranscriptExportQuery = Type.Object({
  format: Type.Optional(TranscriptFormat),
  /** `true` (moderators only): display names instead of pseudonyms. */
  identified: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
});
/** Transcript export query. */
export type TranscriptExportQuery = Static<typeof TranscriptExportQuery>;

/** `POST /api/groups/:groupId/transcripts` query: the format, when not detected from the file. */
export const TranscriptImportQuery = Type.Object({ format: Type.Optional(TranscriptFormat) });
/** Transcript import query. */
export type TranscriptImportQuery = Static<typeof TranscriptImportQuery>;

/** A problem of an import: the line (CSV) or item (JSON) and what is wrong. */
export const TranscriptProblem = Type.Object({
  row: Type.Integer({ minimum: 1 }),
  field: Type.Optional(Type.String()),
  message: Type.String(),
});

/** A refused import: the contract's error shape plus every problem found. */
export const TranscriptImportError = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ examples: ['VALIDATION_FAILED'] }),
      message: Type.String(),
      format: Type.Optional(TranscriptFormat),
      problems: Type.Array(TranscriptProblem),
    }),
  },
  { title: 'TranscriptImportError' },
);
/** Transcript import error. */
export type TranscriptImportError = Static<typeof TranscriptImportError>;

/** `POST /api/groups/:groupId/transcripts` response. */
export const TranscriptImportResult = Type.Object({ ids: Type.Array(Id), format: TranscriptFormat });
/** Transcript import result. */
export type TranscriptImportResult = Static<typeof TranscriptImportResult>;

/** One item of a study's baseline set. */
export const BaselineItem = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 80, pattern: '^[A-Za-z0-9_.-]+$' }),
  messages: Type.Array(Message, { minItems: 1, maxItems: 200 }),
});
/** Baseline item. */
export type BaselineItem = Static<typeof BaselineItem>;

/** `PUT`/`GET /api/studies/:studyId/baseline`. */
export const StudyBaseline = Type.Object({ interactions: Type.Array(BaselineItem, { maxItems: 200 }) });
/** Study baseline. */
export type StudyBaseline = Static<typeof StudyBaseline>;
