/** Agreement between coders: Krippendorff's alpha, and the contract's per-code agreement on the baseline set. */
export * from './baseline.js';
export * from './krippendorff.js';
