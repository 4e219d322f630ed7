import { type Static, Type } from '@sinclair/typebox';
import { Id, Nullable, Timestamp } from './common.js';

/** A code in an attribute: a label of the group, counting for (`1`) or against (`-1`) it. */
export const AttributeCode = Type.Object(
  { labelId: Id, sign: Type.Union([Type.Literal(1), Type.Literal(-1)]) },
  { additionalProperties: false },
);
/** Attribute code. */
export type AttributeCode = Static<typeof AttributeCode>;

/** An example turn of an attribute: the message at `messageIndex` of an interaction. */
export const AttributeExample = Type.Object(
  {
    interactionId: Id,
    messageIndex: Type.Integer({ minimum: 0, maximum: 10_000 }),
    polarity: Type.Union([Type.Literal('positive'), Type.Literal('negative')]),
  },
  { additionalProperties: false },
);
/** Attribute example. */
export type AttributeExample = Static<typeof AttributeExample>;

const name = Type.String({ minLength: 1, maxLength: 200 });
const definition = Type.String({ maxLength: 5_000 });
const codes = Type.Array(AttributeCode, { maxItems: 1_000 });
const examples = Type.Array(AttributeExample, { maxItems: 200 });

/** `POST /api/groups/:groupId/attributes` body. */
export const CreateAttributeBody = Type.Object(
  { name, definition, codes, examples: Type.Optional(examples) },
  { additionalProperties: false },
);
/** Create-attribute body. */
export type CreateAttributeBody = Static<typeof CreateAttributeBody>;

/**
 * `PATCH /api/attributes/:id` body: the fields to change. `version`, when given, must be the
 * attribute's current version (else 409 `STALE_REVISION`), so two tabs cannot overwrite each other.
 */
export const UpdateAttributeBody = Type.Object(
  {
    name: Type.Optional(name),
    definition: Type.Optional(definition),
    codes: Type.Optional(codes),
    examples: Type.Optional(examples),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
/** Update-attribute body. */
export type UpdateAttributeBody = Static<typeof UpdateAttributeBody>;

/** `POST /api/attributes/:id/share` body. */
export const ShareAttributeBody = Type.Object({ shared: Type.Boolean() }, { additionalProperties: false });
/** Share-attribute body. */
export type ShareAttributeBody = Static<typeof ShareAttributeBody>;

/** An attribute from focused coding; `participantId` null: the moderator's. */
export const Attribute = Type.Object({
  id: Id,
  participantId: Nullable(Id),
  name: Type.String(),
  definition: Type.String(),
  codes: Type.Array(AttributeCode),
  examples: Type.Array(AttributeExample),
  shared: Type.Boolean(),
  /** Counts changes from 1; every version is listed by `GET /api/attributes/:id/versions`. */
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
/** Attribute. */
export type Attribute = Static<typeof Attribute>;

/** `GET /api/groups/:groupId/attributes`. */
export const AttributeList = Type.Object({ attributes: Type.Array(Attribute) });
/** Attribute list. */
export type AttributeList = Static<typeof AttributeList>;

/** Response of `POST /api/groups/:groupId/attributes`. */
export const CreatedAttribute = Type.Object({ id: Id });
/** Created attribute. */
export type CreatedAttribute = Static<typeof CreatedAttribute>;

/** The fields a version keeps: the attribute as that change left it. */
export const AttributeSnapshot = Type.Object({
  participantId: Nullable(Id),
  name: Type.String(),
  definition: Type.String(),
  codes: Type.Array(AttributeCode),
  examples: Type.Array(AttributeExample),
  shared: Type.Boolean(),
});
/** Attribute snapshot. */
export type AttributeSnapshot = Static<typeof AttributeSnapshot>;

/** One version of an attribute: who made it (a participant id, or `moderator`/`admin`), when, and what. */
export const AttributeVersion = Type.Object({
  version: Type.Integer(),
  changedBy: Type.String(),
  createdAt: Timestamp,
  snapshot: Nullable(AttributeSnapshot),
});
/** Attribute version. */
export type AttributeVersion = Static<typeof AttributeVersion>;

/** `GET /api/attributes/:id/versions`: oldest first. */
export const AttributeVersionList = Type.Object({ versions: Type.Array(AttributeVersion) });
/** Attribute version list. */
export type AttributeVersionList = Static<typeof AttributeVersionList>;
