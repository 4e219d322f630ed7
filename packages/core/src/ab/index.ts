/** Community A/B rounds: balanced, blind answer order and the per-axis tally with Wilson intervals. */

export * from './export.js';
export * from './order.js';
export * from './tally.js';
