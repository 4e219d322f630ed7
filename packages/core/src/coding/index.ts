export * from './spans.js';
export * from './turns.js';
