import { describe, expect, it } from 'vitest';
import {
  buildRubric,
  judgeMessages,
  parseJudgeScore,
  type RubricAxis,
  rubricsToMarkdown,
  rubricTemplate,
} from './rubric.js';

const axis: RubricAxis = {
  id: 'fa-1',
  name: 'Cultural Context',
  definition: 'Explains events with the culture and perspective of the people involved, not one viewpoint.',
  positive: [
    {
      interactionId: 'i1',
      messageIndex: 1,
      prompt: 'Why the Trail of Tears?',
      response: 'Because …',
      codes: ['context', 'context'],
    },
    { interactionId: 'i1', messageIndex: 1, prompt: 'dup', response: 'same turn again' },
    { interactionId: 'i2', messageIndex: 3, prompt: null, response: 'Second positive.' },
    { interactionId: 'i3', messageIndex: 1, prompt: null, response: 'Third positive, over the limit.' },
  ],
  negative: [
    {
      interactionId: 'i4',
      messageIndex: 1,
      prompt: 'Thanksgiving?',
      response: 'A harvest feast.',
      codes: ['American viewpoint'],
    },
  ],
};

describe('buildRubric', () => {
  it('quotes the definition, writes five ordered levels and takes examples of both sides', () => {
    const rubric = buildRubric(axis);
    expect(rubric.prompt).toContain(axis.definition);
    expect(rubric.levels.map((l) => l.score)).toEqual([1, 2, 3, 4, 5]);
    expect(rubric.levels[4]?.description).toContain(axis.definition);
    expect(rubric.levels[4]?.description).toContain('positive examples');
    expect(rubric.levels[0]?.description).toContain('negative examples');
    // Two positives at most, the repeated turn once, then the negative.
    expect(rubric.examples.map((e) => [e.interactionId, e.score])).toEqual([
      ['i1', 5],
      ['i2', 5],
      ['i4', 1],
    ]);
    expect(rubric.examples[0]?.reason).toBe(
      'Participants chose this answer as an example of "Cultural Context" (coded "context").',
    );
    expect(rubric.examples[2]?.reason).toContain('against');
  });

  it('does without examples, and says nothing of them in the levels', () => {
    const rubric = buildRubric({ ...axis, positive: [], negative: [] });
    expect(rubric.examples).toEqual([]);
    expect(rubric.levels.map((l) => l.description).join(' ')).not.toContain('examples');
  });

  it('clips a long example at a word boundary', () => {
    const long = `${'word '.repeat(400)}end`;
    const rubric = buildRubric(
      { ...axis, positive: [{ interactionId: 'x', messageIndex: 1, prompt: null, response: long }] },
      { exampleLength: 100 },
    );
    const response = rubric.examples[0]?.response ?? '';
    expect(response.length).toBeLessThanOrEqual(100);
    expect(response.endsWith('word…')).toBe(true);
  });
});

describe('judgeMessages', () => {
  it('sends the levels, the examples as exchanges, then the turn to judge', () => {
    const rubric = buildRubric(axis);
    const messages = judgeMessages(rubric, { prompt: 'What was the Raj?', response: 'British rule in India.' });
    expect(messages.map((m) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    expect(messages[0]?.content).toMatch(/5: Fully meets/);
    expect(messages[2]?.content.startsWith('Score: 5')).toBe(true);
    expect(messages.at(-1)?.content).toContain('British rule in India.');
    expect(messages.at(-1)?.content).toContain('What was the Raj?');
  });

  it('leaves the question out when there is none', () => {
    const messages = judgeMessages(buildRubric(axis), { prompt: null, response: 'Only an answer.' });
    expect(messages.at(-1)?.content).not.toContain('Question');
  });
});

describe('rubricTemplate and rubricsToMarkdown', () => {
  it('holds the placeholders once and every level', () => {
    const template = rubricTemplate(buildRubric(axis));
    expect(template.match(/\{\{prompt\}\}/g)).toHaveLength(1);
    expect(template.match(/\{\{response\}\}/g)).toHaveLength(1);
    for (const score of [1, 2, 3, 4, 5]) expect(template).toContain(`${score}: `);
    const markdown = rubricsToMarkdown([buildRubric(axis)], 'Rubrics');
    expect(markdown).toContain('## Cultural Context');
    expect(markdown.split('\n').filter((l) => /^\| [1-5] \|/.test(l))).toHaveLength(5);
  });
});

describe('parseJudgeScore', () => {
  it.each([
    ['Score: 4\nMostly balanced.', 4, 'Mostly balanced.'],
    ['**Score:** 2 — one-sided', 2, 'one-sided'],
    ['**Score**: 5', 5, ''],
    ['I would give it a score of 3/5 because…', 3, 'because…'],
    ['It takes one side only. Score: 1', 1, 'It takes one side only.'],
    ['score = 1', 1, ''],
    ['5', 5, ''],
    ['3. It is partly there.', 3, 'It is partly there.'],
  ])('reads %j', (reply, score, rationale) => {
    expect(parseJudgeScore(reply)).toEqual({ score, rationale });
  });

  it.each(['Score: 10', 'Score: 0', 'No idea.', '', 'Score: six'])('finds no score in %j', (reply) => {
    expect(parseJudgeScore(reply)).toBeNull();
  });
});
