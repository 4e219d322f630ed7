import { type Database, listConversations } from '@calma/db';
import {
  authErrors,
  ChatExchange,
  ChatFailure,
  Conversation,
  ConversationList,
  CreateConversationBody,
  CreatedConversation,
  ErrorBody,
  ErrorCode,
  idParams,
  PostMessageBody,
} from '@calma/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BeforeConversation, ChatService, PreparedTurn } from '../../chat/service.js';
import { forbidden } from '../../errors.js';
import { access, groupScope } from '../../plugins/auth.js';
import { toChatMessage, toConversation } from './view.js';

const turnErrors = { ...authErrors, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody, 502: ChatFailure } as const;

/** The streamed answer, for the OpenAPI document (the route writes it itself, event by event). */
const streamedAnswer = {
  description:
    'With "accept: text/event-stream": server-sent events `user` {message}, `token` {text}…, then `done` {message} or `error` {error:{code,message,reason}, message}',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
} as const;

/** Conversations of Interact and their turns, streamed as server-sent events or answered whole. */
export const conversationRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  chat: ChatService;
  beforeConversation?: BeforeConversation;
}> = async (app, { db, chat, beforeConversation }) => {
  const tags = ['chat'];
  const staffAndParticipant = access.roles(['participant', 'moderator', 'analyst']);

  app.post(
    '/api/groups/:groupId/conversations',
    {
      config: { access: access.group(['participant']) },
      schema: {
        tags,
        summary: "Start a conversation with one of the study's models, by its assignment rule (participant)",
        params: idParams('groupId'),
        body: CreateConversationBody,
        response: { 201: CreatedConversation, ...authErrors, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { principal, group } = groupScope(request);
      if (principal.role !== 'participant') throw forbidden('Only participants hold conversations');
      // The familiarize gate (a required check not passed, Interact closed) answers first.
      await beforeConversation?.({ groupId: group.id, participantId: principal.participantId });
      const { row, model, assignment } = await chat.createConversation(principal, group.id, request.body?.modelId);
      return reply.status(201).send({
        id: row.id,
        modelId: model.id,
        modelLabel: model.label,
        provider: model.provider,
        assignment,
      });
    },
  );

  app.get(
    '/api/groups/:groupId/conversations',
    {
      config: { access: access.group(['participant', 'moderator', 'analyst']) },
      schema: {
        tags,
        summary: "Conversations of a group: a participant's own; every one for moderators and analysts",
        params: idParams('groupId'),
        response: { 200: ConversationList, ...authErrors },
      },
    },
    async (request) => {
      const { principal, group } = groupScope(request);
      const rows = await listConversations(
        db,
        group.id,
        principal.role === 'participant' ? principal.participantId : undefined,
      );
      return {
        conversations: rows.map((row) => {
          const first = row.messages.find((m) => m.role === 'user')?.content ?? '';
          return {
            id: row.id,
            participantId: row.participantId,
            modelId: row.modelId,
            shared: row.shared,
            turns: row.messages.filter((m) => m.role === 'user').length,
            title: first.length > 80 ? `${first.slice(0, 79)}…` : first,
            createdAt: row.createdAt.toISOString(),
            updatedAt: row.updatedAt.toISOString(),
          };
        }),
      };
    },
  );

  app.get(
    '/api/conversations/:id',
    {
      config: { access: staffAndParticipant },
      schema: {
        tags,
        summary: 'A conversation with every turn as stored (its participant; moderators and analysts of its group)',
        params: idParams('id'),
        response: { 200: Conversation, ...authErrors },
      },
    },
    async (request) => {
      const { row, study } = await chat.readable(await request.principal(), request.params.id);
      return toConversation(row, study, chat.limits.maxChars);
    },
  );

  const answer = async (request: FastifyRequest, reply: FastifyReply, turn: PreparedTurn) => {
    const user = toChatMessage(turn.user, 0);
    const res = reply.raw;
    // The participant closing the page stops the model call: the answer is stored as cut off.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const streaming = /\btext\/event-stream\b/.test(request.headers.accept ?? '');
    if (!streaming) {
      const outcome = await turn.run(() => {}, gone.signal);
      const assistant = toChatMessage(outcome.assistant, 1);
      if (outcome.failure) return reply.status(502).send(failureBody(outcome.failure, assistant));
      return reply.status(201).send({ user, assistant });
    }
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise hold tokens back in a buffer.
      'x-accel-buffering': 'no',
    });
    const send = (event: string, data: unknown) => {
      if (!res.writableEnded && !res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    send('user', { message: user });
    try {
      const outcome = await turn.run((text) => send('token', { text }), gone.signal);
      const assistant = toChatMessage(outcome.assistant, 1);
      if (outcome.failure) send('error', failureBody(outcome.failure, assistant));
      else send('done', { message: assistant });
    } catch (err) {
      request.log.error({ err }, 'chat turn failed');
      send('error', { error: { code: ErrorCode.internal, message: 'Internal server error', reason: 'INTERNAL' } });
    } finally {
      res.end();
    }
  };

  app.post(
    '/api/conversations/:id/messages',
    {
      config: { access: access.roles(['participant']) },
      schema: {
        tags,
        summary:
          'Send a message (the conversation\'s participant). With "accept: text/event-stream": events user, token…, then done or error; otherwise 201 {user, assistant} or 502 MODEL_UNAVAILABLE',
        params: idParams('id'),
        body: PostMessageBody,
        response: { 200: streamedAnswer, 201: ChatExchange, ...turnErrors },
      },
    },
    async (request, reply) => {
      const turn = await chat.prepare(await request.principal(), request.params.id, { content: request.body.content });
      return answer(request, reply, turn);
    },
  );

  app.post(
    '/api/conversations/:id/retry',
    {
      config: { access: access.roles(['participant']) },
      schema: {
        tags,
        summary:
          'Ask the last question again after a failed or cut-off answer (which stays in the record); answered like messages',
        params: idParams('id'),
        response: { 200: streamedAnswer, 201: ChatExchange, ...turnErrors },
      },
    },
    async (request, reply) => {
      const turn = await chat.prepare(await request.principal(), request.params.id, { retry: true });
      return answer(request, reply, turn);
    },
  );
};

function failureBody(failure: { reason: string; message: string }, message: ReturnType<typeof toChatMessage>) {
  return { error: { code: ErrorCode.modelUnavailable, message: failure.message, reason: failure.reason }, message };
}
