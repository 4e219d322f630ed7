import { describe, expect, it } from 'vitest';
import { orientationProblems, participantOrientation, scoreCheck } from './check.js';
import { defaultOrientation } from './default-orientation.js';
import { labelCloseness } from './practice.js';
import { interactRefusal, journeyProgress, type ProgressInput } from './progress.js';
import type { JourneyEvent, JourneyStage } from './types.js';

const all: JourneyStage[] = ['familiarize', 'interact', 'reflect', 'discuss'];
const base: ProgressInput = {
  stages: { open: all, minTurns: 3, maxTurns: 20 },
  orientation: { pages: 3, practice: 3, questions: 5, passMark: 4, required: true },
  events: [],
  userTurns: 0,
  conversations: 0,
  labels: 0,
  discussSessionId: null,
};
const read = (page: number): JourneyEvent => ({ kind: 'orientation-read', data: { page } });
const attempt = (score: number, passed: boolean): JourneyEvent => ({ kind: 'check-attempt', data: { score, passed } });

describe('the shipped orientation', () => {
  it('is the same exercise in English and Hindi: ids, options and correct answers match', () => {
    const en = defaultOrientation('en');
    const hi = defaultOrientation('hi');
    expect(defaultOrientation('fr')).toBe(en);
    expect(hi.pages).toHaveLength(en.pages.length);
    expect(hi.practice.map((p) => p.id)).toEqual(en.practice.map((p) => p.id));
    expect(hi.check.questions.map((q) => [q.id, q.options.length, q.correct])).toEqual(
      en.check.questions.map((q) => [q.id, q.options.length, q.correct]),
    );
    expect(hi.check.passMark).toBe(en.check.passMark);
    expect(hi.pages[0]?.markdown).toMatch(/[\u0900-\u097F]/);
  });

  it('is valid by its own rules, with three practice items and about five questions', () => {
    for (const language of ['en', 'hi']) {
      const o = defaultOrientation(language);
      expect(orientationProblems(o)).toEqual([]);
      expect(o.practice).toHaveLength(3);
      expect(o.check.questions.length).toBeGreaterThanOrEqual(5);
      expect(o.required).toBe(true);
      for (const item of o.practice) expect(item.referenceLabels.length).toBeGreaterThan(0);
      // One paragraph each: the page shows line breaks as they are.
      for (const item of o.practice) expect(item.response).not.toContain('\n');
    }
  });

  it('explains the deployment context, initial and focused coding on a travel assistant', () => {
    const text = defaultOrientation('en')
      .pages.map((p) => `${p.title}\n${p.markdown}`)
      .join('\n');
    for (const phrase of ['deployment context', 'Initial coding', 'Focused coding', 'travel', 'Worked example'])
      expect(text).toContain(phrase);
  });
});

describe('participantOrientation', () => {
  it('leaves out correct answers and reference labels', () => {
    const shown = participantOrientation(defaultOrientation('en'));
    const json = JSON.stringify(shown);
    expect(json).not.toContain('"correct"');
    expect(json).not.toContain('referenceLabels');
    expect(shown.check.questions[0]).toEqual({
      id: 'q-context',
      text: expect.any(String),
      options: expect.any(Array),
    });
    expect(shown.practice[0]).toEqual({ id: 'practice-1', prompt: expect.any(String), response: expect.any(String) });
  });
});

describe('scoreCheck', () => {
  const check = {
    questions: [
      { id: 'a', text: 'A?', options: ['x', 'y'], correct: 0 },
      { id: 'b', text: 'B?', options: ['x', 'y', 'z'], correct: 2 },
      { id: 'c', text: 'C?', options: ['x', 'y'], correct: 1 },
    ],
    passMark: 2,
  };

  it('counts correct answers and passes at the pass mark', () => {
    expect(scoreCheck(check, { a: 0, b: 2, c: 0 })).toEqual({ score: 2, passed: true, total: 3, passMark: 2 });
    expect(scoreCheck(check, { a: 1, b: 2 })).toEqual({ score: 1, passed: false, total: 3, passMark: 2 });
  });

  it('ignores unknown questions and inherited keys', () => {
    expect(scoreCheck(check, { z: 0, toString: 0 } as Record<string, number>).score).toBe(0);
    expect(scoreCheck({ ...check, passMark: 0 }, {}).passed).toBe(true);
  });
});

describe('orientationProblems', () => {
  const valid = defaultOrientation('en');
  const withQuestion = (patch: object) => ({
    ...valid,
    check: { ...valid.check, questions: [{ ...(valid.check.questions[0] as object), ...patch }] as never, passMark: 1 },
  });

  it('refuses fewer than two options, a correct index out of range, duplicate ids, an unreachable pass mark', () => {
    expect(orientationProblems(withQuestion({ options: ['only'], correct: 0 })).join()).toMatch(/two options/);
    expect(orientationProblems(withQuestion({ correct: 3 })).join()).toMatch(/correct must be/);
    expect(orientationProblems(withQuestion({ correct: -1 })).join()).toMatch(/correct must be/);
    const twice = {
      ...valid,
      check: { questions: [valid.check.questions[0], valid.check.questions[0]] as never, passMark: 1 },
    };
    expect(orientationProblems(twice).join()).toMatch(/used twice/);
    expect(orientationProblems({ ...valid, check: { ...valid.check, passMark: 6 } }).join()).toMatch(/more than the 5/);
  });
});

describe('journeyProgress', () => {
  it('starts in Familiarize with everything left', () => {
    const p = journeyProgress(base);
    expect(p.stage).toBe('familiarize');
    expect(p.waiting).toBe(false);
    expect(p.steps.map((s) => [s.id, s.done])).toEqual([
      ['orientation', false],
      ['practice', false],
      ['check', false],
      ['chat', false],
      ['code', false],
      ['discuss', false],
    ]);
    expect(p.check).toEqual({ required: true, passed: false, attempts: 0, bestScore: null, passMark: 4, questions: 5 });
  });

  it('stays in Familiarize after reading and a failed attempt; a passed attempt opens Interact', () => {
    const failed = journeyProgress({ ...base, events: [read(0), read(1), read(2), read(2), attempt(2, false)] });
    expect(failed.stage).toBe('familiarize');
    expect(failed.pages).toEqual({ read: 3, total: 3 });
    expect(failed.check).toMatchObject({ attempts: 1, bestScore: 2, passed: false });
    const passed = journeyProgress({ ...base, events: [attempt(2, false), attempt(5, true)] });
    expect(passed.stage).toBe('interact');
    expect(passed.check).toMatchObject({ attempts: 2, bestScore: 5, passed: true });
  });

  it('without a required check, reading every page is enough', () => {
    const input = { ...base, orientation: { ...base.orientation, required: false } };
    expect(journeyProgress({ ...input, events: [read(0), read(1)] }).stage).toBe('familiarize');
    expect(journeyProgress({ ...input, events: [read(0), read(1), read(2), read(7)] }).stage).toBe('interact');
  });

  it('moves to Reflect after minTurns user turns, and to Discuss once a session exists', () => {
    const passed = [attempt(4, true)];
    expect(journeyProgress({ ...base, events: passed, userTurns: 2, conversations: 1 }).stage).toBe('interact');
    const reflect = journeyProgress({ ...base, events: passed, userTurns: 3, conversations: 1 });
    expect(reflect.stage).toBe('reflect');
    expect(reflect.turns).toEqual({ done: 3, min: 3, max: 20 });
    const discuss = journeyProgress({ ...base, events: passed, userTurns: 3, labels: 2, discussSessionId: 'se_1' });
    expect(discuss.stage).toBe('discuss');
    expect(discuss.sessionId).toBe('se_1');
    expect(discuss.steps.find((s) => s.id === 'code')?.done).toBe(true);
  });

  it('skips closed stages when a later one is open, and waits at one when nothing later is', () => {
    const importOnly = journeyProgress({ ...base, stages: { ...base.stages, open: ['reflect', 'discuss'] } });
    expect(importOnly.stage).toBe('reflect');
    expect(importOnly.waiting).toBe(false);
    const familiarizeOnly = { ...base, stages: { ...base.stages, open: ['familiarize'] as JourneyStage[] } };
    const waiting = journeyProgress({ ...familiarizeOnly, events: [attempt(5, true)] });
    expect(waiting).toMatchObject({ stage: 'interact', waiting: true });
    const discussOnly = journeyProgress({ ...base, stages: { ...base.stages, open: ['discuss'] } });
    expect(discussOnly).toMatchObject({ stage: 'discuss', waiting: true });
  });
});

describe('interactRefusal', () => {
  const gate = { stages: base.stages, required: true, questions: 5, events: [] as JourneyEvent[] };

  it('refuses while a required check is not passed, and while Interact is closed', () => {
    expect(interactRefusal(gate)?.code).toBe('CHECK_REQUIRED');
    expect(interactRefusal({ ...gate, events: [attempt(3, false)] })?.code).toBe('CHECK_REQUIRED');
    expect(interactRefusal({ ...gate, events: [attempt(4, true)] })).toBeNull();
    expect(interactRefusal({ ...gate, required: false })).toBeNull();
    const closed = { ...gate, stages: { ...gate.stages, open: ['familiarize'] as JourneyStage[] } };
    expect(interactRefusal({ ...closed, events: [attempt(4, true)] })?.code).toBe('STAGE_CLOSED');
    const noFamiliarize = { ...gate, stages: { ...gate.stages, open: ['interact'] as JourneyStage[] } };
    expect(interactRefusal(noFamiliarize)).toBeNull();
  });
});

describe('labelCloseness', () => {
  it('pairs each label with the nearest reference label by cosine similarity', () => {
    const result = labelCloseness(
      [
        { text: 'cheap', vector: [1, 0.3, 0] },
        { text: 'Safety advice', vector: [0, 0, 0] },
        { text: 'odd', vector: [0, 0, 1] },
      ],
      [
        { text: 'budget-friendly', vector: [1, 0, 0] },
        { text: 'safety advice', vector: [0, 1, 0] },
      ],
    );
    expect(result[0]).toMatchObject({ label: 'cheap', nearest: 'budget-friendly', closeness: 'close' });
    expect(result[0]?.similarity).toBe(0.96);
    // The same words match whatever the vectors say.
    expect(result[1]).toMatchObject({ nearest: 'safety advice', similarity: 1, closeness: 'close' });
    expect(result[2]).toMatchObject({ similarity: 0, closeness: 'different' });
    expect(labelCloseness([{ text: 'x', vector: [1] }], [])).toEqual([
      { label: 'x', nearest: null, similarity: 0, closeness: 'different' },
    ]);
  });
});
