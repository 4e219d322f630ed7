/** Cross-group comparison of derived axes: pairing by meaning, analysts' decisions, exports. */
export * from './export.js';
export * from './hungarian.js';
export * from './pairing.js';
