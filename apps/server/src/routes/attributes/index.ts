import { decideGroupAccess, memberRoles, type Principal } from '@calma/core';
import {
  type AttributeRow,
  createAttribute,
  type Database,
  deleteAttribute,
  getAttribute,
  listAttributes,
  listAttributeVersions,
  updateAttribute,
} from '@calma/db';
import {
  AttributeList,
  Attribute as AttributeSchema,
  type AttributeSnapshot,
  AttributeVersionList,
  authErrors,
  CreateAttributeBody,
  CreatedAttribute,
  ErrorBody,
  ErrorCode,
  idParams,
  ShareAttributeBody,
  UpdateAttributeBody,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { access, groupScope } from '../../plugins/auth.js';
import { checkAttributeReferences } from './references.js';

const toAttribute = (row: AttributeRow) => ({
  id: row.id,
  participantId: row.participantId,
  name: row.name,
  definition: row.definition,
  codes: row.codes,
  examples: row.examples,
  shared: row.shared,
  version: row.version,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** Who a version names: the participant, or the staff role (staff tokens are not people). */
const changedByOf = (principal: Principal) =>
  principal.role === 'participant' ? principal.participantId : principal.role;

/** Staff see every attribute; a participant their own and others' once shared. */
const maySee = (principal: Principal, row: AttributeRow) =>
  principal.role !== 'participant' || row.participantId === principal.participantId || row.shared;

/** The author (a participant for their own) or the group's moderator (and the admin) edit. */
const mayEdit = (principal: Principal, row: AttributeRow) =>
  principal.role === 'participant' ? row.participantId === principal.participantId : principal.role !== 'analyst';

/** Sharing is the author's: the participant for theirs; the moderator (or admin) for the moderator's. */
const mayShare = (principal: Principal, row: AttributeRow) =>
  principal.role === 'participant' ? row.participantId === principal.participantId : row.participantId === null;

const blankName = (name: string | undefined) => name !== undefined && name.trim() === '';

/**
 * Focused coding: attributes group a participant's codes (each counting for or against) with
 * example turns. Every change writes a version in the same transaction.
 */
export const attributeRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  const tags = ['attributes'];

  /** The attribute in `:id`, for a caller of its group (404 unknown, 403 another group's). */
  const loadFor = async (principal: Principal, id: string) => {
    const row = await getAttribute(db, id);
    if (!row) throw notFound('Attribute');
    if (!decideGroupAccess(principal, row.groupId, memberRoles).ok) {
      throw forbidden('This attribute belongs to another group');
    }
    return row;
  };

  app.post(
    '/api/groups/:groupId/attributes',
    {
      config: { access: access.group(['moderator', 'participant']) },
      schema: {
        tags,
        summary:
          "Create an attribute (a participant: their own, from their codes; the moderator: the group's, from any codes)",
        params: idParams('groupId'),
        body: CreateAttributeBody,
        response: { 201: CreatedAttribute, ...authErrors, 413: ErrorBody },
      },
    },
    async (request, reply) => {
      const { principal, group } = groupScope(request);
      const body = request.body;
      if (blankName(body.name)) throw badRequest('name is blank');
      const owner = principal.role === 'participant' ? principal.participantId : null;
      await checkAttributeReferences(db, group.id, owner, principal, body.codes, body.examples);
      const row = await createAttribute(
        db,
        group.id,
        owner,
        {
          name: body.name.trim(),
          definition: body.definition.trim(),
          codes: body.codes,
          examples: body.examples ?? [],
        },
        changedByOf(principal),
      );
      return reply.status(201).send({ id: row.id });
    },
  );

  app.get(
    '/api/groups/:groupId/attributes',
    {
      config: { access: access.group(memberRoles) },
      schema: {
        tags,
        summary: "A group's attributes (staff: all; a participant: their own and others' shared ones)",
        params: idParams('groupId'),
        response: { 200: AttributeList, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const rows = await listAttributes(db, group.id);
      return { attributes: rows.filter((row) => maySee(principal, row)).map(toAttribute) };
    },
  );

  app.patch(
    '/api/attributes/:id',
    {
      config: { access: access.roles(['moderator', 'participant']) },
      schema: {
        tags,
        summary:
          'Change an attribute (its participant; the moderator). With `version`, a stale one is refused (409 STALE_REVISION)',
        params: idParams('id'),
        body: UpdateAttributeBody,
        response: { 200: AttributeSchema, ...authErrors, 409: ErrorBody, 413: ErrorBody },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const row = await loadFor(principal, request.params.id);
      if (!mayEdit(principal, row)) throw forbidden("Only the attribute's participant or the moderator may change it");
      const { version, ...changes } = request.body;
      if (Object.keys(changes).length === 0)
        throw badRequest('Nothing to change: give name, definition, codes or examples');
      if (blankName(changes.name)) throw badRequest('name is blank');
      await checkAttributeReferences(db, row.groupId, row.participantId, principal, changes.codes, changes.examples);
      const result = await updateAttribute(
        db,
        row.id,
        {
          ...changes,
          ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
          ...(changes.definition !== undefined ? { definition: changes.definition.trim() } : {}),
        },
        changedByOf(principal),
        version,
      );
      if (!result.ok) {
        if (result.reason === 'missing') throw notFound('Attribute');
        throw conflict(`The attribute has changed since version ${version}; reload it`, ErrorCode.staleRevision);
      }
      return toAttribute(result.row);
    },
  );

  app.delete(
    '/api/attributes/:id',
    {
      config: { access: access.roles(['moderator', 'participant']) },
      schema: {
        tags,
        summary: 'Delete an attribute (its participant; the moderator)',
        params: idParams('id'),
        response: { 200: Type.Object({ deleted: Type.Boolean() }), ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const row = await loadFor(principal, request.params.id);
      if (!mayEdit(principal, row)) throw forbidden("Only the attribute's participant or the moderator may delete it");
      if (!(await deleteAttribute(db, row.id, changedByOf(principal)))) throw notFound('Attribute');
      return { deleted: true };
    },
  );

  app.post(
    '/api/attributes/:id/share',
    {
      config: { access: access.roles(['moderator', 'participant']) },
      schema: {
        tags,
        summary: "Share an attribute with the group's participants, or withhold it again (its author)",
        params: idParams('id'),
        body: ShareAttributeBody,
        response: { 200: AttributeSchema, ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const row = await loadFor(principal, request.params.id);
      if (!mayShare(principal, row)) throw forbidden('Only its author shares an attribute');
      const result = await updateAttribute(db, row.id, { shared: request.body.shared }, changedByOf(principal));
      if (!result.ok) throw notFound('Attribute');
      return toAttribute(result.row);
    },
  );

  app.get(
    '/api/attributes/:id/versions',
    {
      config: { access: access.roles(memberRoles) },
      schema: {
        tags,
        summary: 'Every version of an attribute: who changed it, when, and what it then was (whoever may see it)',
        params: idParams('id'),
        response: { 200: AttributeVersionList, ...authErrors },
      },
    },
    async (request) => {
      const principal = await request.principal();
      const row = await loadFor(principal, request.params.id);
      if (!maySee(principal, row)) throw forbidden('This attribute is not shared');
      const versions = await listAttributeVersions(db, row.id);
      return {
        versions: versions.map((v) => ({
          version: v.version,
          changedBy: v.changedBy,
          createdAt: v.createdAt.toISOString(),
          snapshot: v.snapshot as AttributeSnapshot | null,
        })),
      };
    },
  );
};
