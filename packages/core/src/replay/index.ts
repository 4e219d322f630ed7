/** Session replay: a Discuss session's timeline told as events, and what it says at any moment. */
export * from './timeline.js';
