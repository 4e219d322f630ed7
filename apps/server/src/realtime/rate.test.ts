import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate.js';

describe('TokenBucket', () => {
  it('lets a burst through, then the rate, and refuses without taking', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100; // one token back
    expect(bucket.take(2)).toBe(false);
    expect(bucket.take()).toBe(true);
    now += 60_000; // never more than the burst
    expect(bucket.take(3)).toBe(true);
    expect(bucket.take()).toBe(false);
  });
});
