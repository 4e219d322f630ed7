export * from './classifier.js';
export * from './rubric.js';
