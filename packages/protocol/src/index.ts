/**
 * The public contract in code: request/response schemas (TypeBox, so the same objects validate
 * requests and produce the OpenAPI document), error codes, roles and close codes.
 */
export * from './ab.js';
export * from './affinity.js';
export * from './agreement.js';
export * from './artifacts.js';
export * from './attribute-suggestions.js';
export * from './attributes.js';
export * from './board.js';
export * from './chat.js';
export * from './coding.js';
export * from './common.js';
export * from './comparison.js';
export * from './errors.js';
export * from './groups.js';
export * from './health.js';
export * from './judge-runs.js';
export * from './material.js';
export * from './orientation.js';
export * from './qdpx.js';
export * from './realtime.js';
export * from './replay.js';
export * from './roles.js';
export * from './rubrics.js';
export * from './sessions.js';
export * from './studies.js';
export * from './transcripts.js';
