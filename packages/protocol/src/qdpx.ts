import { type Static, Type } from '@sinclair/typebox';
import { Id } from './common.js';

/** `POST /api/groups/:groupId/import.qdpx` response: what the project became, by kind. */
export const QdpxImportResult = Type.Object({
  counts: Type.Object({
    participants: Type.Integer({
      minimum: 0,
      description: 'New participants made for coders not already in the group',
    }),
    interactions: Type.Integer({ minimum: 0 }),
    labels: Type.Integer({ minimum: 0 }),
    attributes: Type.Integer({ minimum: 0 }),
  }),
  participantIds: Type.Array(Id),
  interactionIds: Type.Array(Id),
  labelIds: Type.Array(Id),
  attributeIds: Type.Array(Id),
});
/** REFI-QDA import result. */
export type QdpxImportResult = Static<typeof QdpxImportResult>;
