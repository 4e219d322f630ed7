import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable } from './common.js';

/** Nominal alpha, or null where it is undefined (no pairable values, or no variation). */
const Alpha = Nullable(Type.Number({ maximum: 1 }));

/** A unit of the baseline set on which coders split over a code: participant ids on each side. */
export const CodeDisagreement = Type.Object({
  interactionId: Id,
  messageIndex: Type.Integer({ minimum: 0 }),
  applied: Type.Array(Id, { description: 'Coders who put the code on this message' }),
  notApplied: Type.Array(Id, { description: 'Coders who coded this message with other codes only' }),
});
/** Code disagreement. */
export type CodeDisagreement = Static<typeof CodeDisagreement>;

/** One code (spellings merged: trimmed, case-insensitive) over the baseline set. */
export const CodeAgreement = Type.Object({
  text: Type.String({ description: 'The spelling most of its labels use' }),
  alpha: Alpha,
  coders: Type.Integer({ minimum: 0, description: 'Coders who put it on at least one unit' }),
  units: Type.Integer({ minimum: 0, description: 'Units it was put on' }),
  split: Type.Integer({ minimum: 0, description: 'Units where the coders who coded them split over it' }),
  disagreements: Type.Optional(
    Type.Array(CodeDisagreement, { description: 'Those units and who stands on each side: only for `?code=`' }),
  ),
});
/** Code agreement. */
export type CodeAgreement = Static<typeof CodeAgreement>;

/** One attribute over the baseline set: interval alpha over its codes' for (1), against (−1), neither (0). */
export const AttributeAgreement = Type.Object({
  id: Id,
  name: Type.String(),
  participantId: Nullable(Id),
  alpha: Alpha,
  coders: Type.Integer({ minimum: 0, description: 'Coders whose codes spoke for or against it on at least one unit' }),
  units: Type.Integer({ minimum: 0, description: "Units on which some coder's codes spoke for or against it" }),
});
/** Attribute agreement. */
export type AttributeAgreement = Static<typeof AttributeAgreement>;

/**
 * `GET /api/groups/:groupId/agreement` query: `code` (repeatable; any spelling) lists where coders
 * split over that code. Every code's would grow with codes × units × coders (megabytes for 30 coders).
 */
export const AgreementQuery = Type.Object({
  code: Type.Optional(
    Type.Union([
      Type.String({ minLength: 1, maxLength: 500 }),
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 100 }),
    ]),
  ),
});
/** Agreement query. */
export type AgreementQuery = Static<typeof AgreementQuery>;

/**
 * `GET /api/groups/:groupId/agreement`: Krippendorff's alpha (nominal) per code over the baseline set.
 * `overall` pools every code: each (unit, code) pair is one unit of one alpha.
 */
export const Agreement = Type.Object({
  coders: Type.Integer({ minimum: 0, description: 'Coders who coded at least one unit' }),
  units: Type.Integer({ minimum: 0, description: 'Assistant messages of the baseline interactions' }),
  codes: Type.Array(CodeAgreement),
  overall: Alpha,
  attributes: Type.Array(AttributeAgreement),
});
/** Agreement. */
export type Agreement = Static<typeof Agreement>;
