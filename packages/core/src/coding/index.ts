export * from './codes.js';
export * from './csv.js';
export * from './groupings.js';
export * from './spans.js';
export * from './turns.js';
