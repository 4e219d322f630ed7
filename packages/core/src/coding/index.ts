export * from './groupings.js';
export * from './spans.js';
export * from './turns.js';
