import type { Database } from '@calma/db';
import type { ChatProvider } from '@calma/models';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type BeforeConversation, type ChatLimits, ChatService, type ProviderSource } from '../../chat/service.js';
import { type Config, chatDefaults } from '../../config.js';
import { conversationRoutes } from './conversations.js';
import { studyModelRoutes } from './models.js';

/** What the chat routes take. */
export interface ChatRouteOptions {
  db: Database;
  limits?: Partial<ChatLimits>;
  /** Called before a conversation is created; throws the AppError to refuse (the familiarize gate). */
  beforeConversation?: BeforeConversation;
  /** Where providers come from (default: `providerFor`, replay bound to the study's recordings). */
  providers?: ProviderSource;
  /** The local (transformers.js) provider `local` models use; without one they answer MODEL_UNKNOWN. */
  local?: ChatProvider;
}

/** The defaults of {@link ChatLimits}, from `config.ts`'s. */
export const defaultChatLimits: ChatLimits = {
  firstTokenMs: chatDefaults.modelTimeoutMs,
  idleMs: chatDefaults.modelIdleMs,
  retries: chatDefaults.modelRetries,
  backoffMs: 500,
  maxBackoffMs: 10_000,
  ratePerMinute: chatDefaults.chatRateLimit,
  maxChars: chatDefaults.chatMaxChars,
  writeEveryMs: 250,
};

/**
 * Interact: study models, conversations and their streamed turns. Answers in flight are stopped
 * (and stored as cut off) before the server closes its connections.
 */
export const chatRoutes: FastifyPluginAsyncTypebox<ChatRouteOptions> = async (app, options) => {
  const chat = new ChatService(options.db, { ...defaultChatLimits, ...options.limits }, app.log, {
    providers: options.providers,
    local: options.local,
  });
  app.addHook('preClose', () => chat.close());
  await app.register(studyModelRoutes, { db: options.db });
  await app.register(conversationRoutes, {
    db: options.db,
    chat,
    ...(options.beforeConversation ? { beforeConversation: options.beforeConversation } : {}),
  });
};

/** The chat limits a (partial) config sets. */
export function chatLimitsFrom(
  config: Partial<Pick<Config, 'modelTimeoutMs' | 'modelIdleMs' | 'modelRetries' | 'chatRateLimit' | 'chatMaxChars'>>,
): Partial<ChatLimits> {
  return {
    ...(config.modelTimeoutMs === undefined ? {} : { firstTokenMs: config.modelTimeoutMs }),
    ...(config.modelIdleMs === undefined ? {} : { idleMs: config.modelIdleMs }),
    ...(config.modelRetries === undefined ? {} : { retries: config.modelRetries }),
    ...(config.chatRateLimit === undefined ? {} : { ratePerMinute: config.chatRateLimit }),
    ...(config.chatMaxChars === undefined ? {} : { maxChars: config.chatMaxChars }),
  };
}
