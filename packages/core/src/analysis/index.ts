/** Discuss-session analysis: rank statistics, the session analysis, and the derived-axes export. */
export * from './export.js';
export * from './session-analysis.js';
export * from './statistics.js';
