import type { SessionState } from '@calma/core';
import { describe, expect, it } from 'vitest';
import { discussSessionFor } from './progress.js';

const session = (id: string, status: 'ended' | 'waiting', updatedAt: number) => ({
  id,
  state: { status } as unknown as SessionState,
  updatedAt: new Date(updatedAt),
});

describe("a participant's Discuss session", () => {
  it('is the latest open one, whenever they joined', () => {
    expect(discussSessionFor([session('a', 'ended', 10), session('b', 'waiting', 5)], new Date(50))).toBe('b');
  });

  it('is an ended one only when it ended after they joined', () => {
    const sessions = [session('seeded', 'ended', 10), session('theirs', 'ended', 100)];
    expect(discussSessionFor(sessions, new Date(50))).toBe('theirs');
    // Joined after both ended (as a newcomer to the demo, whose sessions were seeded): none yet.
    expect(discussSessionFor(sessions, new Date(200))).toBeNull();
    expect(discussSessionFor([], new Date(0))).toBeNull();
  });
});
