import { describe, expect, it } from 'vitest';
import { StartupClock } from './clock.js';

describe('StartupClock', () => {
  it('says how long each phase took, from the process start, in order', () => {
    const times = [400, 1_150, 1_200, 2_460];
    const clock = new StartupClock(() => times.shift() ?? Number.NaN, null);
    clock.lap('database');
    clock.lap('migrations');
    clock.lap('listen');
    expect(clock.summary()).toBe(
      'Started in 2.5 s (loading code 0.4 s, database 0.8 s, migrations 0.1 s, listen 1.3 s)',
    );
  });

  it('tells the start script (checks, a build) apart from loading the server code', () => {
    const times = [5_600, 6_000];
    const clock = new StartupClock(() => times.shift() ?? Number.NaN, 5_100);
    clock.lap('database');
    expect(clock.summary()).toBe('Started in 6.0 s (start script 5.1 s, loading code 0.5 s, database 0.4 s)');
  });
});
