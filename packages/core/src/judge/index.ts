export * from './rubric.js';
