export * from './csv.js';
export * from './spans.js';
