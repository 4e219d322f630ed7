export * from './abort.js';
export * from './local.js';
export * from './openai.js';
export * from './provider.js';
export * from './registry.js';
export * from './replay.js';
export * from './timed.js';
