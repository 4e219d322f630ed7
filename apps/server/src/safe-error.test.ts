import { describe, expect, it } from 'vitest';
import { safeError } from './safe-error.js';

describe('safeError', () => {
  it('keeps the name, code and the start of the message, and nothing a driver attached', () => {
    const err = Object.assign(new Error(`insert failed: ${'x'.repeat(1_000)}`), {
      code: '08P01',
      query: 'INSERT INTO board_updates …',
      params: [new Uint8Array(1024)],
    });
    const safe = safeError(err);
    expect(safe).toEqual({ type: 'Error', code: '08P01', message: expect.stringMatching(/^insert failed: x+…$/) });
    expect(JSON.stringify(safe).length).toBeLessThan(400);
    expect(safeError('boom')).toEqual({ type: 'string', message: 'non-Error thrown' });
  });
});
