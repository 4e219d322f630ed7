/** An axis's turns (from the group's own links), editable rubrics, and the alignment datasets. */
export * from './axis-turns.js';
export * from './datasets.js';
export * from './rubric-edit.js';
