import { describe, expect, it } from 'vitest';
import {
  axesToCsv,
  axesToMarkdown,
  type DerivedAxis,
  deriveAxes,
  excerptLength,
  interactionExcerpt,
} from './export.js';
import { type AnalysisInput, analyzeSession } from './session-analysis.js';

const input: AnalysisInput = {
  finalAttributes: [
    {
      id: 'f1',
      name: 'Balance',
      definition: 'Presents, fairly, more than one side',
      exampleInteractionIds: ['i1', 'missing'],
      sourceLabelIds: ['l1', 'l2', 'gone'],
    },
    {
      id: 'f2',
      name: '=HYPERLINK("x")',
      definition: 'Says "I am not sure"\nwhen unsure',
      exampleInteractionIds: [],
      sourceLabelIds: [],
    },
    { id: 'f3', name: 'Warmth', definition: 'a|b', exampleInteractionIds: ['i2'], sourceLabelIds: [] },
  ],
  groupTop3: ['f2'],
  groupTop5: ['f1'],
  mapping: {},
  segment1: [],
  segment5: [
    { participantId: 'p1', likert: { f1: 5, f2: 4, f3: 2 }, ranking: ['f2', 'f1'] },
    { participantId: 'p2', likert: { f1: 4, f2: 4, f3: 1 }, ranking: ['f1', 'f2'] },
    { participantId: 'p3', likert: { f1: 3, f2: 5 }, ranking: ['f2'] },
  ],
};

const lookup = {
  interactions: new Map([
    ['i1', 'Short   answer,\nsplit over lines.'],
    ['i2', `${'word '.repeat(100)}end`],
  ]),
  labels: new Map([
    ['l1', 'fair'],
    ['l2', 'both sides'],
  ]),
};

const axes = deriveAxes(input, analyzeSession(input), lookup);

describe('deriveAxes', () => {
  it('orders axes by the group ranking and flags the picks', () => {
    expect(axes.map((a) => [a.rank, a.id, a.inGroupTop3, a.inGroupTop5])).toEqual([
      [1, 'f2', true, true],
      [2, 'f1', false, true],
      [3, 'f3', false, false],
    ]);
  });

  it('carries the segment-5 agreement', () => {
    // f1 is rated 5, 4, 3: mean 4, median 4, two of three agree.
    expect(axes[1]?.agreement).toEqual({ n: 3, mean: 4, median: 4, agreeShare: 2 / 3 });
    // f3 is rated by two only: 2 and 1.
    expect(axes[2]?.agreement).toEqual({ n: 2, mean: 1.5, median: 1.5, agreeShare: 0 });
  });

  it('quotes known interactions and labels, skipping unknown ids', () => {
    expect(axes[1]?.examples).toEqual([{ interactionId: 'i1', excerpt: 'Short answer, split over lines.' }]);
    expect(axes[1]?.sourceLabels).toEqual([
      { id: 'l1', text: 'fair' },
      { id: 'l2', text: 'both sides' },
    ]);
  });
});

describe('interactionExcerpt', () => {
  it('cuts a long text at a word boundary and marks the cut', () => {
    const text = axes[2]?.examples[0]?.excerpt ?? '';
    // 'word ' × 100 is 500 characters; 55 whole words (274 characters) fit before the 279th.
    expect(text).toBe(`${'word '.repeat(55).trimEnd()}…`);
    expect(Array.from(text).length).toBeLessThanOrEqual(excerptLength);
  });

  it('cuts one giant word hard and never splits a surrogate pair', () => {
    const text = interactionExcerpt('😀'.repeat(300));
    expect(text).toBe(`${'😀'.repeat(279)}…`);
  });

  it('keeps a text that fits', () => {
    expect(interactionExcerpt('x'.repeat(280))).toBe('x'.repeat(280));
  });
});

describe('axesToCsv', () => {
  it('writes RFC 4180 with CRLF, quoting, blanks for null and formula guards', () => {
    const csv = axesToCsv(axes);
    const words = `${'word '.repeat(55).trimEnd()}…`;
    expect(csv).toBe(
      [
        'rank,name,definition,group_top3,group_top5,ratings,agreement_mean,agreement_median,agree_share,example_interactions,source_labels',
        `1,"'=HYPERLINK(""x"")","Says ""I am not sure""\nwhen unsure",true,true,3,4.333,4,1,,`,
        '2,Balance,"Presents, fairly, more than one side",false,true,3,4,4,0.667,"Short answer, split over lines.",fair | both sides',
        `3,Warmth,a|b,false,false,2,1.5,1.5,0,${words},`,
        '',
      ].join('\r\n'),
    );
  });

  it('guards every formula trigger and leaves empty numbers empty', () => {
    const axis: DerivedAxis = {
      rank: 1,
      id: 'x',
      name: '+1',
      definition: '@SUM(A1)',
      inGroupTop3: false,
      inGroupTop5: false,
      agreement: { n: 0, mean: null, median: null, agreeShare: null },
      examples: [{ interactionId: 'i', excerpt: '-2' }],
      sourceLabels: [{ id: 'l', text: '\tcmd' }],
    };
    const [, row] = axesToCsv([axis]).split('\r\n');
    expect(row).toBe("1,'+1,'@SUM(A1),false,false,0,,,,'-2,'\tcmd");
  });
});

describe('axesToMarkdown', () => {
  it('writes a heading and one escaped table row per axis', () => {
    const md = axesToMarkdown(axes, { title: 'Derived axes', generatedAt: '2025-01-01T00:00:00Z' });
    const lines = md.split('\n');
    expect(lines[0]).toBe('# Derived axes');
    expect(lines).toContain('| Rank | Axis | Definition | Agreement | Example | Source labels |');
    // f2: 4, 4, 5 → mean 4.33, all three agree.
    expect(lines).toContain(
      '| 1 | =HYPERLINK("x") | Says "I am not sure" when unsure | 4.33 / 5 (100% agree, n=3) |  |  |',
    );
    expect(lines).toContain(
      '| 2 | Balance | Presents, fairly, more than one side | 4 / 5 (67% agree, n=3) | “Short answer, split over lines.” | fair · both sides |',
    );
    expect(md).toContain('| 3 | Warmth | a\\|b | 1.5 / 5 (0% agree, n=2) |');
  });

  it('keeps participant text from becoming HTML and shows missing ratings', () => {
    const md = axesToMarkdown(
      [
        {
          rank: 1,
          id: 'x',
          name: '<script>',
          definition: 'back\\slash',
          inGroupTop3: false,
          inGroupTop5: false,
          agreement: { n: 0, mean: null, median: null, agreeShare: null },
          examples: [],
          sourceLabels: [],
        },
      ],
      { title: 'T', generatedAt: 'now' },
    );
    expect(md).toContain('| 1 | &lt;script> | back\\\\slash | no ratings |  |  |');
  });
});
