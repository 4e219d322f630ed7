export * from './state.js';
export * from './submissions.js';
