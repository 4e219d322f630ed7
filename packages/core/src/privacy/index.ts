export * from './mask.js';
export * from './self-names.js';
export * from './visibility.js';
