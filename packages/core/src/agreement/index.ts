/** Agreement between coders: Krippendorff's alpha, and the contract's per-code agreement on the baseline set. */
export * from './attributes.js';
export * from './baseline.js';
export * from './krippendorff.js';
