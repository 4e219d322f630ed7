import { describe, expect, it } from 'vitest';
import { buildRubric } from '../judge/rubric.js';
import { type AxisTurnsInput, collectAxisTurns } from './axis-turns.js';
import { constitutionMarkdown, datasetAxisKeys, datasetJsonLines, preferencePairs, steerLmRows } from './datasets.js';
import { applyRubricEdit, rubricEditProblem } from './rubric-edit.js';

const chat = (q: string, a: string, q2?: string, a2?: string) => ({
  messages: [
    { role: 'user' as const, content: q },
    { role: 'assistant' as const, content: a },
    ...(q2 && a2
      ? [
          { role: 'user' as const, content: q2 },
          { role: 'assistant' as const, content: a2 },
        ]
      : []),
  ],
});

const label = (id: string, text: string, interactionId: string, messageIndex: number | null = 1) => ({
  id,
  text,
  interactionId,
  messageIndex,
});

const input: AxisTurnsInput = {
  finalAttributes: [
    {
      id: 'fa-empathy',
      name: 'Empathy',
      definition: 'Acknowledges how the person feels.',
      exampleInteractionIds: ['i1'],
      sourceLabelIds: ['l-warm'],
    },
    // No moderator links: its source labels come from the board.
    { id: 'fa-clarity', name: 'Clarity', definition: 'Plain words.', exampleInteractionIds: [], sourceLabelIds: [] },
  ],
  mapping: { s1: 'fa-clarity' },
  board: [
    { kind: 'attribute', clusterId: 7, labelId: null, segment1AttributeId: 's1', reflectAttributeId: null },
    { kind: 'label', clusterId: 7, labelId: 'l-plain', segment1AttributeId: null, reflectAttributeId: null },
    { kind: 'attribute', clusterId: 7, labelId: null, segment1AttributeId: null, reflectAttributeId: 'ra-jargon' },
  ],
  labels: [
    label('l-warm', 'Warm', 'i2'),
    label('l-warm2', ' warm ', 'i3', null), // same code, another spelling; no message: the first answer
    label('l-cold', 'cold', 'i4'),
    label('l-plain', 'plain', 'i5'),
    label('l-jargon', 'jargon', 'i6', 3),
    label('l-hidden', 'warm', 'hidden'), // an unshared chat: never quoted
    label('l-user', 'warm', 'i7', 0), // on a user message: not a turn
  ],
  reflectAttributes: [
    {
      // Linked to Empathy by its +1 code "warm"; "cold" counts against.
      id: 'ra-care',
      codes: [
        { labelId: 'l-warm2', sign: 1 },
        { labelId: 'l-cold', sign: -1 },
      ],
      examples: [{ interactionId: 'i8', messageIndex: 1, polarity: 'negative' }],
    },
    // Linked to Clarity by its card in the cluster.
    { id: 'ra-jargon', codes: [{ labelId: 'l-jargon', sign: -1 }], examples: [] },
    // Linked to nothing.
    { id: 'ra-other', codes: [{ labelId: 'l-plain', sign: -1 }], examples: [] },
  ],
  interactions: new Map([
    ['i1', chat('How are you?', 'I hear you.', 'And then?', 'Take your time.')],
    ['i2', chat('I failed', 'That sounds hard.')],
    ['i3', chat('I failed', 'Sorry to hear that.')],
    ['i4', chat('I failed', 'Try harder.')],
    ['i5', chat('Explain tax', 'You pay part of income.')],
    ['i6', chat('Explain tax', 'Marginal rates…', 'More?', 'Fiscal drag and bracket creep.')],
    ['i7', chat('warm', 'ok')],
    ['i8', chat('Sad today', 'Noted.')],
  ]),
};

describe('collectAxisTurns', () => {
  const [empathy, clarity] = collectAxisTurns(input);

  it('takes the moderator examples, the source codes in any spelling, and linked Reflect attributes', () => {
    expect(empathy?.positive.map((t) => [t.interactionId, t.messageIndex])).toEqual([
      ['i1', 1],
      ['i1', 3],
      ['i2', 1],
      ['i3', 1],
    ]);
    expect(empathy?.positive[2]).toMatchObject({ prompt: 'I failed', codes: ['Warm'] });
    expect(empathy?.positive[3]?.from).toEqual(['source-code', 'reflect-code']);
    expect(empathy?.negative.map((t) => [t.interactionId, t.from])).toEqual([
      ['i8', ['reflect-example']],
      ['i4', ['reflect-code']],
    ]);
    expect(empathy?.reflectAttributeIds).toEqual(['ra-care']);
  });

  it('links by the board when the moderator named nothing', () => {
    expect(clarity?.positive.map((t) => t.interactionId)).toEqual(['i5']);
    expect(clarity?.negative.map((t) => [t.interactionId, t.messageIndex, t.prompt])).toEqual([['i6', 3, 'More?']]);
    expect(clarity?.reflectAttributeIds).toEqual(['ra-jargon']);
  });

  it('never quotes an interaction it was not given', () => {
    const all = [empathy, clarity].flatMap((a) => [...(a?.positive ?? []), ...(a?.negative ?? [])]);
    expect(all.some((t) => t.interactionId === 'hidden' || t.interactionId === 'i7')).toBe(false);
  });

  it('feeds buildRubric', () => {
    const rubric = buildRubric(empathy as NonNullable<typeof empathy>);
    expect(rubric.examples.map((e) => e.score)).toEqual([5, 5, 1, 1]);
  });
});

describe('steerLmRows', () => {
  const axes = collectAxisTurns(input);
  const coded = [{ interactionId: 'i5', messageIndex: 1, prompt: 'Explain tax', response: 'You pay part of income.' }];

  it('scores 5 for positive, 1 for negative, null when untied, from the coding', () => {
    const rows = steerLmRows(axes, coded);
    expect(rows[0]).toEqual({
      prompt: 'Explain tax',
      response: 'You pay part of income.',
      scores: { Empathy: null, Clarity: 5 },
      provenance: { Empathy: null, Clarity: 'participant-codes' },
      interactionId: 'i5',
      messageIndex: 1,
    });
    const i4 = rows.find((r) => r.interactionId === 'i4');
    expect(i4?.scores).toEqual({ Empathy: 1, Clarity: null });
    // Every tied turn is a row, once.
    expect(rows.length).toBe(new Set(rows.map((r) => `${r.interactionId}#${r.messageIndex}`)).size);
    expect(rows.length).toBe(8);
  });

  it('fills only the untied axes from the judge, saying so', () => {
    const rows = steerLmRows(axes, coded, {
      runId: 'run-1',
      scores: [
        { interactionId: 'i5', messageIndex: 1, axisId: 'fa-empathy', score: 2 },
        { interactionId: 'i5', messageIndex: 1, axisId: 'fa-clarity', score: 1 },
      ],
    });
    expect(rows[0]?.scores).toEqual({ Empathy: 2, Clarity: 5 });
    expect(rows[0]?.provenance).toEqual({ Empathy: 'judge:run-1', Clarity: 'participant-codes' });
  });

  it('gives a turn on both sides 3', () => {
    const [axis] = axes;
    const both = {
      ...(axis as NonNullable<typeof axis>),
      negative: [...(axis?.negative ?? []), ...(axis?.positive ?? []).slice(0, 1)],
    };
    expect(steerLmRows([both], [])[0]?.scores).toEqual({ Empathy: 3 });
  });
});

describe('preferencePairs', () => {
  const axes = collectAxisTurns(input);

  it('pairs same-question turns first, then the rest, saying which', () => {
    const rows = preferencePairs(axes);
    const empathy = rows.filter((r) => r.axis === 'Empathy');
    const same = empathy.filter((r) => r.source === 'participant-codes:same-prompt');
    expect(same.map((r) => [r.chosenTurn.interactionId, r.rejectedTurn.interactionId])).toEqual([
      ['i2', 'i4'],
      ['i3', 'i4'],
    ]);
    expect(same[0]).toMatchObject({ prompt: 'I failed', chosen: 'That sounds hard.', rejected: 'Try harder.' });
    expect(same[0]?.rejectedPrompt).toBeUndefined();
    const other = empathy.filter((r) => r.source === 'participant-codes:different-prompts');
    // i1's two turns were left unpaired; each gets the lone negative i8.
    expect(other.map((r) => [r.chosenTurn.messageIndex, r.rejectedTurn.interactionId])).toEqual([
      [1, 'i8'],
      [3, 'i8'],
    ]);
    expect(other[0]?.rejectedPrompt).toBe('Sad today');
    const clarity = rows.filter((r) => r.axis === 'Clarity');
    expect(clarity.map((r) => [r.source, r.rejectedPrompt])).toEqual([
      ['participant-codes:different-prompts', 'More?'],
    ]);
  });

  it('pairs judge scores on the same question, higher chosen', () => {
    const turns = new Map(
      [
        { interactionId: 'j1', messageIndex: 1, prompt: 'Q', response: 'good' },
        { interactionId: 'j2', messageIndex: 1, prompt: ' q ', response: 'bad' },
        { interactionId: 'j3', messageIndex: 1, prompt: 'Q', response: 'also bad' },
        { interactionId: 'j4', messageIndex: 1, prompt: 'other', response: 'alone' },
      ].map((t) => [`${t.interactionId}#${t.messageIndex}`, t]),
    );
    const score = (interactionId: string, s: number) => ({ interactionId, messageIndex: 1, axisId: 'fa-x', score: s });
    const rows = preferencePairs(
      [{ id: 'fa-x', name: 'X', definition: '', positive: [], negative: [], reflectAttributeIds: [] }],
      {
        runId: 'r9',
        scores: [score('j1', 4), score('j2', 2), score('j3', 2), score('j4', 5)],
        turns,
      },
    );
    expect(rows.map((r) => [r.chosen, r.rejected, r.source])).toEqual([
      ['good', 'bad', 'judge:r9'],
      ['good', 'also bad', 'judge:r9'],
    ]);
  });
});

describe('constitution and JSON Lines', () => {
  it('writes one principle per axis from its definition', () => {
    const md = constitutionMarkdown(
      [
        { name: 'Empathy', definition: 'Acknowledges how the person feels.  ' },
        { name: 'Clarity', definition: '' },
      ],
      'Constitution',
    );
    expect(md).toContain('1. Choose the response that best shows "Empathy": Acknowledges how the person feels.\n');
    expect(md).toContain('2. Choose the response that best shows "Clarity".');
  });

  it('gives repeated names distinct keys', () => {
    const keys = datasetAxisKeys([
      { id: 'a', name: 'Care' },
      { id: 'b', name: 'Care' },
    ]);
    expect([...keys.values()]).toEqual(['Care', 'Care (2)']);
  });

  it('writes one JSON object a line, nothing for no rows', () => {
    expect(datasetJsonLines([])).toBe('');
    const text = datasetJsonLines([{ a: 'line\nbreak' }, { b: 2 }]);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([{ a: 'line\nbreak' }, { b: 2 }]);
  });
});

describe('rubric edits', () => {
  const base = buildRubric({ id: 'a', name: 'A', definition: 'd', positive: [], negative: [] });
  const levels = [5, 4, 3, 2, 1].map((score) => ({ score, description: ` level ${score} ` }));

  it('accepts five described levels, kept in score order', () => {
    expect(rubricEditProblem({ prompt: 'p', levels, examples: [] })).toBeNull();
    const edited = applyRubricEdit(base, { prompt: ' p ', levels, examples: [] });
    expect(edited.levels.map((l) => l.score)).toEqual([1, 2, 3, 4, 5]);
    expect(edited.levels[0]?.description).toBe('level 1');
    expect(edited.prompt).toBe('p');
    expect(edited.definition).toBe('d');
  });

  it('refuses an empty prompt, wrong scores and empty descriptions', () => {
    expect(rubricEditProblem({ prompt: ' ', levels, examples: [] })).toMatch(/prompt/);
    expect(rubricEditProblem({ prompt: 'p', levels: levels.slice(1), examples: [] })).toMatch(/1, 2, 3, 4 and 5/);
    expect(
      rubricEditProblem({ prompt: 'p', levels: [...levels.slice(1), { score: 2, description: 'x' }], examples: [] }),
    ).toMatch(/once each/);
    expect(
      rubricEditProblem({ prompt: 'p', levels: [...levels.slice(0, 4), { score: 1, description: ' ' }], examples: [] }),
    ).toMatch(/description/);
  });
});

describe('steerLmRows with judged turns', () => {
  it('adds a row for a turn only the judge scored', () => {
    const turn = { interactionId: 'j1', messageIndex: 1, prompt: 'Q', response: 'A' };
    const rows = steerLmRows(
      [{ id: 'fa', name: 'X', definition: '', positive: [], negative: [], reflectAttributeIds: [] }],
      [],
      { runId: 'r', scores: [{ ...turn, axisId: 'fa', score: 4 }], turns: new Map([['j1#1', turn]]) },
    );
    expect(rows).toEqual([
      {
        prompt: 'Q',
        response: 'A',
        scores: { X: 4 },
        provenance: { X: 'judge:r' },
        interactionId: 'j1',
        messageIndex: 1,
      },
    ]);
  });
});
