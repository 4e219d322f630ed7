import type { Database } from '@calma/db';
import type { ChatProvider } from '@calma/models';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventBus } from '../../events/bus.js';
import type { AbAnswerLimits, AbProviderSource } from './answers.js';
import { abContext } from './context.js';
import { abItemRoutes } from './items.js';
import { abResultRoutes } from './results.js';
import { abRoundRoutes } from './rounds.js';

/** What the A/B routes take. */
export interface AbRouteOptions {
  db: Database;
  events: EventBus;
  limits: AbAnswerLimits & { maxChars: number };
  /** Where providers come from (default: `providerFor`, replay bound to the study's recordings). */
  providers?: AbProviderSource;
  local?: ChatProvider;
}

/**
 * Community A/B rounds. The moderator opens a round on two study models and the group's axes;
 * participants ask for items (a baseline prompt or their own), read both answers in an order drawn
 * per participant in balanced blocks, and choose per axis. Nothing a participant receives names
 * the models or the order; results (per model per axis, Wilson intervals) are for staff while the
 * round is open and for everyone in the group once it is closed; the raw export is staff's, by
 * pseudonym.
 *
 * The routes live by who reads them: `rounds.ts` (the moderator's lifecycle), `items.ts` (a
 * participant's items and votes), `results.ts` (results and export); `context.ts` holds what they share.
 */
export const abRoutes: FastifyPluginAsyncTypebox<AbRouteOptions> = async (app, options) => {
  const ab = abContext(options);
  await app.register(abRoundRoutes, { ab });
  await app.register(abItemRoutes, { ab });
  await app.register(abResultRoutes, { ab });
};
