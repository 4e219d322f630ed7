import {
  detectTranscriptFormat,
  parseTranscripts,
  pseudonymsFor,
  type TranscriptFormat,
  type TranscriptInteraction,
  type TranscriptProblem,
  toOcmlCsv,
  toTranscriptCsv,
  toTranscriptJson,
} from '@calma/core';
import {
  addLabels,
  type Database,
  findInteractions,
  findStudy,
  interactionOwners,
  listParticipants,
  upsertInteractions,
} from '@calma/db';
import {
  authErrors,
  ErrorBody,
  ErrorCode,
  idParams,
  TranscriptExportQuery,
  TranscriptImportError,
  TranscriptImportQuery,
  TranscriptImportResult,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { forbidden } from '../../errors.js';
import type { EventBus } from '../../events/bus.js';
import { access, groupScope } from '../../plugins/auth.js';
import { ocmlLabels } from './ocml-codes.js';
import { visibleInteractions } from './visible.js';

/** The contract's error shape for a file's problems (`TranscriptImportError`). */
function problemsBody(format: TranscriptFormat, problems: TranscriptProblem[]) {
  const first = problems[0];
  return {
    error: {
      code: ErrorCode.validationFailed,
      message: `The ${format.toUpperCase()} file has ${problems.length} problem(s); first, at ${format === 'json' ? 'item' : 'line'} ${first?.row}: ${first?.message}`,
      format,
      problems,
    },
  };
}

/**
 * A group's interactions as files. Exports are pseudonymous (`P1`, `P2`… in join order) unless a
 * moderator asks `identified=true`; they hold imports and SHARED chats only, masked — an unshared
 * chat is its author's and never leaves in a file. Imports go in whole or not at all: every
 * problem is reported with its line (CSV) or item (JSON) and nothing is stored.
 *
 * This plugin reads its bodies as text (its own parsers, encapsulated here), so the CSV and JSON
 * parsers in core see the file as sent and can name the line that is wrong.
 */
export const transcriptFileRoutes: FastifyPluginAsyncTypebox<{ db: Database; events: EventBus }> = async (
  app,
  { db, events },
) => {
  const tags = ['transcripts'];
  const params = idParams('groupId');
  const asText = (_request: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) =>
    done(null, typeof body === 'string' ? body : body.toString('utf8'));
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'text/csv', 'text/plain'], { parseAs: 'string' }, asText);

  app.get(
    '/api/groups/:groupId/transcripts',
    {
      config: { access: access.group(['moderator', 'analyst']) },
      schema: {
        tags,
        summary:
          "Export the group's interactions as Calma JSON, Calma CSV (a row per message) or OCML's ID,TEXT CSV; pseudonymous unless a moderator asks identified=true; unshared chats left out, shared ones masked",
        params,
        querystring: TranscriptExportQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: Type.String({ description: 'The file' }), ...authErrors },
      },
    },
    async (request, reply) => {
      const { principal, group } = groupScope(request);
      const identified = request.query.identified === 'true';
      if (identified && principal.role === 'analyst') {
        throw forbidden('Only moderators may export display names; analysts get pseudonyms');
      }
      const [items, people, study] = await Promise.all([
        visibleInteractions(db, group.id, 'others'),
        listParticipants(db, group.id),
        findStudy(db, group.studyId),
      ]);
      const pseudonyms = pseudonymsFor(people.map((p) => p.id));
      const names = new Map(people.map((p) => [p.id, p.displayName]));
      const name = (id: string | null) =>
        id === null ? null : ((identified ? names.get(id) : pseudonyms.get(id)) ?? null);
      const transcripts: TranscriptInteraction[] = items.map((row) => ({
        id: row.id,
        participant: name(row.participantId),
        baseline: row.baseline,
        source: row.source,
        modelId: row.modelId,
        messages: row.messages.map(({ error: _error, params: _params, ...m }) => m),
      }));
      const format = request.query.format ?? 'json';
      const base = `calma-transcripts-${group.id}`;
      reply.header('cache-control', 'no-store');
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${base}.csv"`)
          .send(toTranscriptCsv(transcripts));
      }
      if (format === 'ocml') {
        const title = `${study?.title ?? 'Calma'} — ${group.name}`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${base}-ocml.csv"`)
          .send(toOcmlCsv(transcripts, title));
      }
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${base}.json"`)
        .send(
          toTranscriptJson(transcripts, {
            exportedAt: new Date().toISOString(),
            group: { id: group.id, name: group.name },
          }),
        );
    },
  );

  app.post(
    '/api/groups/:groupId/transcripts',
    {
      config: { access: access.group(['moderator']) },
      schema: {
        tags,
        summary:
          "Import interactions from Calma JSON, Calma CSV or OCML ID,TEXT CSV (content-type application/json or text/csv; format detected, or ?format=). OCML's coded export (a LABEL/CODES column of ';'-separated codes, optional CODER and ANNOTATION) also becomes whole-turn labels on each answer, by the coder named or the moderator; all or nothing",
        params,
        querystring: TranscriptImportQuery,
        consumes: ['application/json', 'text/csv', 'text/plain'],
        body: Type.String({ description: 'The file: Calma JSON, Calma CSV or OCML CSV' }),
        response: {
          201: TranscriptImportResult,
          400: TranscriptImportError,
          401: ErrorBody,
          403: ErrorBody,
          404: ErrorBody,
          413: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { group } = groupScope(request);
      const text = request.body;
      const format = request.query.format ?? detectTranscriptFormat(text, request.headers['content-type']);
      const parsed = parseTranscripts(text, format);
      if (!parsed.ok) return reply.status(400).send(problemsBody(format, parsed.problems));
      const people = await listParticipants(db, group.id);
      const known = new Set(people.map((p) => p.id));
      const coded = ocmlLabels(parsed.interactions, people);
      if (!coded.ok) return reply.status(400).send(problemsBody(format, coded.problems));
      const givenIds = parsed.interactions.flatMap((i) => (i.id ? [i.id] : []));
      const [owners, mine] = await Promise.all([
        interactionOwners(db, givenIds),
        findInteractions(db, group.id, givenIds).then((rows) => new Map(rows.map((r) => [r.id, r.source]))),
      ]);
      // A file's ids are kept when free or already this group's (re-importing replaces); an id
      // another group holds (say, this file was exported from it) gets a new one, so an export
      // imports into another group unchanged. A chat is never overwritten by a file.
      // Interactions and their codes (OCML's coded export) go in one transaction: all or nothing.
      const { ids, labelIds } = await db.transaction(async (tx) => {
        const stored = await upsertInteractions(
          tx,
          group.id,
          parsed.interactions.map((item) => {
            const owner = item.id ? owners.get(item.id) : undefined;
            const keep = owner === undefined || (owner === group.id && mine.get(item.id as string) === 'import');
            return {
              id: keep ? item.id : undefined,
              participantId: item.participant && known.has(item.participant) ? item.participant : null,
              baseline: item.baseline,
              messages: item.messages,
            };
          }),
        );
        const labels = coded.labelsFor(stored);
        return { ids: stored, labelIds: labels.length > 0 ? await addLabels(tx, group.id, labels) : [] };
      });
      // After the commit, as the labels route does: open boards and the coding page's code index
      // take the imported codes at once (waited for, so they are there when the caller hears back).
      if (labelIds.length > 0)
        await events
          .publish({ type: 'labels-added', groupId: group.id, labelIds })
          .catch((err) => request.log.error({ err }, 'boards did not take the imported labels'));
      return reply.status(201).send({ ids, format });
    },
  );
};
