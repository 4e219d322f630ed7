import type { Database } from '@calma/db';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventBus } from '../../events/bus.js';
import { baselineRoutes } from './baseline.js';
import { transcriptFileRoutes } from './files.js';
import { sharingRoutes } from './sharing.js';

/**
 * Transcripts and sharing: conversations shared (masked) or withheld by their author, a group's
 * interactions imported and exported as files, and a study's baseline set. The file routes live
 * in their own encapsulated plugin because they read bodies as text.
 */
export const transcriptRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  /** `labels-added` is published when an import brings codes (OCML's coded export). */
  events: EventBus;
}> = async (app, { db, events }) => {
  await app.register(sharingRoutes, { db });
  await app.register(baselineRoutes, { db });
  await app.register(transcriptFileRoutes, { db, events });
};
