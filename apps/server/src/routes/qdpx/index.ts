import {
  calmaToQda,
  importProblem,
  packQdpx,
  parseProjectXml,
  pseudonymsFor,
  QdaFormatError,
  QdpxTooLargeError,
  qdaToCalma,
  unpackQdpx,
  writeProjectXml,
} from '@calma/core';
import {
  type Database,
  findStudy,
  importQdpx,
  listAttributes,
  listInteractions,
  listLabels,
  listParticipants,
} from '@calma/db';
import { authErrors, ErrorBody, ErrorCode, idParams, QdpxImportResult } from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError, badRequest } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { access, groupScope } from '../../plugins/auth.js';
import { visibleInteractions } from '../transcripts/visible.js';
import { exportLabels } from './spans.js';

/** Largest `.qdpx` body accepted (compressed); what it may unpack to is capped separately. */
export const qdpxBodyLimit = 32 * 1024 * 1024;

/**
 * REFI-QDA projects (`.qdpx`): a group's interactions, codes with their spans and coders, and
 * attributes, out to other qualitative-analysis tools and back. Exports follow the transcript
 * exports' rules (pseudonyms `P1`, `P2`…; unshared chats left out, shared ones masked). Imports
 * go in whole or not at all. This plugin reads `application/zip` bodies as bytes (its own
 * parser, encapsulated here).
 */
export const qdpxRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  /** `labels-added` is published after an import stores codings. */
  events: EventBus;
}> = async (app, { db, events }) => {
  const tags = ['qdpx'];
  const params = idParams('groupId');
  app.addContentTypeParser('application/zip', { parseAs: 'buffer', bodyLimit: qdpxBodyLimit }, (_request, body, done) =>
    done(null, body),
  );

  app.get(
    '/api/groups/:groupId/export.qdpx',
    {
      config: { access: access.group(['moderator', 'analyst']) },
      schema: {
        tags,
        summary:
          'Export the group as a REFI-QDA project (.qdpx: project.qde + sources/): interactions as text sources, every code as a selection with its coder, attributes as parent codes of their signed codes; pseudonymous; unshared chats left out, shared ones masked',
        params,
        response: {
          200: {
            description: 'The .qdpx file (a ZIP)',
            content: { 'application/zip': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) } },
          },
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      const [rows, people, labelRows, attributes, study] = await Promise.all([
        listInteractions(db, group.id),
        listParticipants(db, group.id),
        listLabels(db, group.id),
        listAttributes(db, group.id),
        findStudy(db, group.studyId),
      ]);
      const items = await visibleInteractions(db, group.id, 'others', rows);
      const pseudonyms = pseudonymsFor(people.map((p) => p.id));
      const { project, sources } = calmaToQda({
        name: `${study?.title ?? 'Calma'} — ${group.name}`,
        exportedAt: new Date().toISOString(),
        users: [...pseudonyms].map(([id, name]) => ({ id, name })),
        interactions: items.map((row) => ({
          id: row.id,
          participantId: row.participantId,
          baseline: row.baseline,
          messages: row.messages.map((m) => ({ role: m.role, content: m.content })),
        })),
        labels: exportLabels(labelRows, items, rows),
        attributes: attributes.map((a) => ({
          id: a.id,
          participantId: a.participantId,
          name: a.name,
          definition: a.definition,
          codes: a.codes,
        })),
      });
      const zip = packQdpx(writeProjectXml(project), sources);
      return reply
        .type('application/zip')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="calma-${group.id}.qdpx"`)
        .send(Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength));
    },
  );

  app.post(
    '/api/groups/:groupId/import.qdpx',
    {
      bodyLimit: qdpxBodyLimit,
      config: { access: access.group(['moderator']) },
      schema: {
        tags,
        summary:
          'Import a REFI-QDA project (.qdpx, content-type application/zip): text sources become interactions, codings labels (spans included), parent codes attributes; all or nothing. Not a ZIP or not a valid project → 400 (a DOCTYPE, and so any external entity, is refused); unpacking past the limits → 413',
        params,
        consumes: ['application/zip'],
        body: Type.Unknown({ description: 'The .qdpx file (a ZIP)' }),
        response: {
          201: QdpxImportResult,
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          413: ErrorBody,
          415: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      if (!Buffer.isBuffer(request.body)) {
        throw new AppError(
          415,
          ErrorCode.unsupportedMediaType,
          'Send the .qdpx file with content-type application/zip',
        );
      }
      let data: ReturnType<typeof qdaToCalma>;
      try {
        const content = unpackQdpx(
          new Uint8Array(request.body.buffer, request.body.byteOffset, request.body.byteLength),
        );
        data = qdaToCalma(parseProjectXml(content.projectXml), content.sources);
      } catch (err) {
        if (err instanceof QdpxTooLargeError) throw new AppError(413, ErrorCode.payloadTooLarge, err.message);
        if (err instanceof QdaFormatError) throw badRequest(err.message, ErrorCode.validationFailed);
        throw err;
      }
      const problem = importProblem(data);
      if (problem !== null) throw badRequest(problem, ErrorCode.validationFailed);
      const stored = await importQdpx(db, group.id, data);
      // After the commit, as the labels route does: open boards and the coding page's code index
      // take the imported codes at once (waited for, so they are there when the caller hears back).
      if (stored.labelIds.length > 0)
        await events
          .publish({ type: 'labels-added', groupId: group.id, labelIds: stored.labelIds })
          .catch((err) => request.log.error({ err }, 'boards did not take the imported labels'));
      return reply.status(201).send({
        counts: {
          participants: stored.participantIds.length,
          interactions: stored.interactionIds.length,
          labels: stored.labelIds.length,
          attributes: stored.attributeIds.length,
        },
        ...stored,
      });
    },
  );
};
