/**
 * Calma's domain, pure and framework-free: access decisions, material rules, and (in later
 * modules) the Discuss session state machine and statistics. No I/O here.
 */
export * from './ab/index.js';
export * from './access.js';
export * from './agreement/index.js';
export * from './analysis/index.js';
export * from './board/permissions.js';
export * from './coding/index.js';
export * from './comparison/index.js';
export * from './datasets/index.js';
export * from './journey/index.js';
export * from './judge/index.js';
export * from './material.js';
export * from './participants/merge.js';
export * from './privacy/index.js';
export * from './refi-qda/index.js';
export * from './replay/index.js';
export * from './session/index.js';
export * from './text/matches.js';
export * from './text/words.js';
export * from './transcripts/index.js';
export * from './util/recent-map.js';
