import { describe, expect, it } from 'vitest';
import { scrubberRange } from './timeline-scrubber';

describe('scrubberRange', () => {
  it('reaches the end of the session on a step, whatever its length', () => {
    for (const span of [1, 499, 750, 1234, 4567, 480_000, 3_600_001]) {
      const { step, max } = scrubberRange(1000, 1000 + span);
      // The top is on a step (so End lands on it) and not before the end.
      expect(max % step).toBe(0);
      expect(max).toBeGreaterThanOrEqual(span);
      expect(max - span).toBeLessThan(step);
    }
  });
});
