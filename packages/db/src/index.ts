/**
 * Persistence: the drizzle schema, `createDb` for PGlite or PostgreSQL, and the repositories
 * (no SQL outside this package).
 */
export * from './board-journal.js';
export * from './client.js';
export * from './ids.js';
export * from './lock.js';
export * from './repositories/ab.js';
export * from './repositories/agreement.js';
export * from './repositories/attributes.js';
export * from './repositories/board.js';
export * from './repositories/chat.js';
export * from './repositories/coding.js';
export * from './repositories/comparison.js';
export * from './repositories/embeddings.js';
export * from './repositories/groups.js';
export * from './repositories/health.js';
export * from './repositories/journey.js';
export * from './repositories/judge-runs.js';
export * from './repositories/material.js';
export * from './repositories/participants.js';
export * from './repositories/qdpx.js';
export * from './repositories/replay.js';
export * from './repositories/rubrics.js';
export * from './repositories/sessions.js';
export * from './repositories/settings.js';
export * from './repositories/studies.js';
export * from './repositories/study-update.js';
export * from './repositories/tokens.js';
export * from './repositories/transcripts.js';
export * as schema from './schema.js';
