import { describe, expect, it } from 'vitest';
import type { Principal } from '../access.js';
import { applySessionAction, initialSessionState, type SessionState } from './state.js';
import {
  checkFinalAttributes,
  checkFinalReferences,
  checkMapping,
  checkSegment1,
  checkSegment5,
  readableSubmitter,
} from './submissions.js';

const ana: Principal = { role: 'participant', groupId: 'g', participantId: 'ana', displayName: 'Ana' };
const moderator: Principal = { role: 'moderator', groupId: 'g' };

const at = (segment: 0 | 1 | 2 | 3 | 4 | 5): SessionState => {
  const started = applySessionAction(initialSessionState(), { type: 'start', segment, durationMs: 60_000 }, 0);
  if (!started.ok) throw new Error(started.reason);
  return started.state;
};
const kindOf = (checked: { ok: boolean; problem?: { kind: string } }) => (checked.ok ? 'ok' : checked.problem?.kind);

describe('checkSegment1', () => {
  it('takes a participant’s trimmed attributes while segment 1 runs', () => {
    expect(checkSegment1(ana, at(1), [{ name: ' Balanced ', definition: ' Both sides ' }])).toEqual({
      ok: true,
      value: { participantId: 'ana', submission: [{ name: 'Balanced', definition: 'Both sides' }] },
    });
  });
  it('refuses others, other segments, blanks and repeated names', () => {
    const one = [{ name: 'A', definition: 'a' }];
    expect(kindOf(checkSegment1(moderator, at(1), one))).toBe('forbidden');
    expect(kindOf(checkSegment1(ana, at(2), one))).toBe('wrong-state');
    expect(kindOf(checkSegment1(ana, { ...at(1), status: 'paused' }, one))).toBe('wrong-state');
    expect(checkSegment1(ana, at(1), [{ name: '  ', definition: 'a' }])).toMatchObject({
      ok: false,
      problem: { kind: 'invalid', message: 'attributes[0].name is blank' },
    });
    const twice = [
      { name: 'Tone', definition: 'a' },
      { name: 'tone ', definition: 'b' },
    ];
    expect(kindOf(checkSegment1(ana, at(1), twice))).toBe('invalid');
  });
});

describe('checkFinalAttributes and checkFinalReferences', () => {
  let n = 0;
  const newId = () => `fa_${++n}`;
  const body = {
    attributes: [
      { id: 'x', name: 'Empathy', definition: 'Warmth', exampleInteractionIds: ['i1', 'i1'] },
      { name: ' Clarity ', definition: 'Plain words', sourceLabelIds: ['l1'] },
    ],
    groupTop3: ['x'],
    groupTop5: ['x'],
  };
  it('gives new attributes ids and drops repeated examples, in segment 4 only', () => {
    const checked = checkFinalAttributes(at(4), body, newId);
    expect(checked).toMatchObject({
      ok: true,
      value: {
        attributes: [
          { id: 'x', name: 'Empathy', exampleInteractionIds: ['i1'], sourceLabelIds: [] },
          { id: 'fa_1', name: 'Clarity', exampleInteractionIds: [], sourceLabelIds: ['l1'] },
        ],
      },
    });
    expect(kindOf(checkFinalAttributes(at(3), body, newId))).toBe('wrong-state');
  });
  it('refuses repeated ids and top lists that repeat or name strangers', () => {
    const twice = { ...body, attributes: [body.attributes[0], body.attributes[0]] } as typeof body;
    expect(kindOf(checkFinalAttributes(at(4), twice, newId))).toBe('invalid');
    expect(kindOf(checkFinalAttributes(at(4), { ...body, groupTop3: ['x', 'x'] }, newId))).toBe('invalid');
    expect(kindOf(checkFinalAttributes(at(4), { ...body, groupTop5: ['nope'] }, newId))).toBe('reference');
  });
  it('refuses ids of another session and examples or sources outside the group', () => {
    const checked = checkFinalAttributes(at(4), body, newId);
    if (!checked.ok) throw new Error('expected ok');
    const known = { sessionId: 's1', owners: new Map(), interactionIds: new Set(['i1']), labelIds: new Set(['l1']) };
    expect(kindOf(checkFinalReferences(checked.value, known))).toBe('ok');
    expect(kindOf(checkFinalReferences(checked.value, { ...known, owners: new Map([['x', 's1']]) }))).toBe('ok');
    expect(kindOf(checkFinalReferences(checked.value, { ...known, owners: new Map([['x', 's2']]) }))).toBe('conflict');
    expect(kindOf(checkFinalReferences(checked.value, { ...known, interactionIds: new Set() }))).toBe('reference');
    expect(kindOf(checkFinalReferences(checked.value, { ...known, labelIds: new Set() }))).toBe('reference');
  });
});

describe('checkSegment5', () => {
  const finals = new Set(['a', 'b']);
  it('takes complete ratings and a ranking of a subset while segment 5 runs', () => {
    expect(kindOf(checkSegment5(ana, at(5), finals, { likert: { a: 4, b: 2 }, ranking: ['b'] }))).toBe('ok');
  });
  it('refuses missing ratings, strangers, repeats, other segments and an empty set', () => {
    expect(checkSegment5(ana, at(5), finals, { likert: { a: 4 }, ranking: [] })).toMatchObject({
      ok: false,
      problem: { kind: 'invalid', message: 'Every final attribute must be rated; missing: b' },
    });
    expect(kindOf(checkSegment5(ana, at(5), finals, { likert: { a: 4, b: 2, c: 1 }, ranking: [] }))).toBe('reference');
    expect(kindOf(checkSegment5(ana, at(5), finals, { likert: { a: 4, b: 2 }, ranking: ['a', 'a'] }))).toBe('invalid');
    expect(kindOf(checkSegment5(ana, at(4), finals, { likert: { a: 4, b: 2 }, ranking: [] }))).toBe('wrong-state');
    expect(kindOf(checkSegment5(ana, at(5), new Set(), { likert: {}, ranking: [] }))).toBe('wrong-state');
    expect(kindOf(checkSegment5(moderator, at(5), finals, { likert: { a: 4, b: 2 }, ranking: [] }))).toBe('forbidden');
  });
});

describe('checkMapping', () => {
  it('maps segment-1 attributes to final attributes or to nothing', () => {
    const s1 = new Set(['s1a']);
    const fin = new Set(['fa']);
    expect(kindOf(checkMapping({ s1a: 'fa' }, s1, fin))).toBe('ok');
    expect(kindOf(checkMapping({ s1a: null }, s1, fin))).toBe('ok');
    expect(kindOf(checkMapping({ nope: 'fa' }, s1, fin))).toBe('reference');
    expect(kindOf(checkMapping({ s1a: 'nope' }, s1, fin))).toBe('reference');
  });
});

describe('readableSubmitter', () => {
  it('shows staff everything and participants their own until the reveal', () => {
    expect(readableSubmitter(moderator, [], 1, undefined)).toBeUndefined();
    expect(readableSubmitter(moderator, [], 1, 'bo')).toBe('bo');
    expect(readableSubmitter(ana, [], 1, undefined)).toBe('ana');
    expect(readableSubmitter(ana, [], 1, 'bo')).toBeNull();
    expect(readableSubmitter(ana, [1], 1, 'bo')).toBe('bo');
    expect(readableSubmitter(ana, [1], 1, undefined)).toBeUndefined();
    expect(readableSubmitter(ana, [1], 5, 'bo')).toBeNull();
  });
});
