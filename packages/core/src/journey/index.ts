/** Familiarize and the participant's journey: the shipped orientation, progress, check scoring. */
export * from './check.js';
export * from './default-orientation.js';
export * from './practice.js';
export * from './progress.js';
export * from './types.js';
