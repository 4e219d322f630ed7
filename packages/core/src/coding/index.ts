export * from './groupings.js';
export * from './spans.js';
