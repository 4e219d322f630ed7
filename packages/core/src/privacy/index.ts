export * from './mask.js';
export * from './self-names.js';
