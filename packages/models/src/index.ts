export * from './local.js';
export * from './provider.js';
