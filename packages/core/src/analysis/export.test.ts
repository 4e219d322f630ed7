import { describe, expect, it } from 'vitest';
import {
  axesToCsv,
  axesToMarkdown,
  boardSourceLabelIds,
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

const long = `${'word '.repeat(100)}end`;
const lookup = {
  interactions: new Map([
    ['i1', { prompt: 'Who won?', response: 'Short   answer,\nsplit over lines.' }],
    ['i2', { prompt: null, response: long }],
  ]),
  labels: new Map([
    ['l1', { text: 'fair', interactionId: null }],
    ['l2', { text: 'both sides', interactionId: 'i2' }],
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

  it('quotes known interactions whole, with their question, and labels, skipping unknown ids', () => {
    expect(axes[1]?.examples).toEqual([
      { interactionId: 'i1', excerpt: 'Short   answer,\nsplit over lines.', prompt: 'Who won?' },
    ]);
    expect(axes[1]?.sourceLabels).toEqual([
      { id: 'l1', text: 'fair' },
      { id: 'l2', text: 'both sides' },
    ]);
    expect([axes[1]?.examplesFrom, axes[1]?.sourceLabelsFrom]).toEqual(['moderator', 'moderator']);
  });

  it('never cuts an example', () => {
    // It used to be cut at 280 characters with "…".
    expect(axes[2]?.examples).toEqual([{ interactionId: 'i2', excerpt: long, prompt: null }]);
    expect(JSON.stringify(axes)).not.toContain('…');
  });
});

describe('source labels by the board', () => {
  // Ben's segment-1 "Fair" and Asha's "Even-handed" became f1; Chen's "Warm" became f3. The map put
  // "Fair" in cluster 0 with the labels l1 and l2, "Even-handed" in people's own group "g", and
  // "Warm" in cluster 1 with l3.
  const mapped: AnalysisInput = {
    ...input,
    finalAttributes: input.finalAttributes.map((f) => ({ ...f, sourceLabelIds: [], exampleInteractionIds: [] })),
    mapping: { s1: 'f1', s2: 'f1', s3: 'f3', s4: null, s5: 'f2' },
  };
  const card = (kind: string, clusterId: number | string | null, id: string) => ({
    kind,
    clusterId,
    labelId: kind === 'label' ? id : null,
    segment1AttributeId: kind === 'attribute' ? id : null,
  });
  const board = [
    card('label', 0, 'l2'),
    card('label', 0, 'l1'),
    card('attribute', 0, 's1'),
    card('attribute', 'g', 's2'),
    card('label', 'g', 'l4'),
    card('attribute', 1, 's3'),
    card('label', 1, 'l3'),
    card('attribute', 2, 's4'),
    card('label', 2, 'l5'),
    card('attribute', null, 's5'),
    card('label', null, 'l6'),
    card('note', 0, 'n1'),
  ];
  const labels = new Map([
    ['l1', { text: 'fair', interactionId: 'i1' }],
    ['l2', { text: 'both sides', interactionId: 'i2' }],
    ['l3', { text: 'गर्मजोशी', interactionId: 'i1' }],
    ['l4', { text: 'متوازن', interactionId: null }],
    ['l5', { text: 'unmapped', interactionId: null }],
    ['l6', { text: 'unclustered', interactionId: null }],
  ]);
  const derived = deriveAxes(mapped, analyzeSession(mapped), { ...lookup, labels, board });
  const byId = new Map(derived.map((a) => [a.id, a]));

  it('takes the labels clustered with the segment-1 attributes mapped to each axis', () => {
    // In the group's label order, not the board's.
    expect(byId.get('f1')?.sourceLabels).toEqual([
      { id: 'l1', text: 'fair' },
      { id: 'l2', text: 'both sides' },
      { id: 'l4', text: 'متوازن' },
    ]);
    expect(byId.get('f3')?.sourceLabels).toEqual([{ id: 'l3', text: 'गर्मजोशी' }]);
    // f2's only attribute is in no cluster; s4 was mapped to nothing.
    expect(byId.get('f2')?.sourceLabels).toEqual([]);
    expect([...derived].map((a) => a.sourceLabelsFrom)).toEqual(derived.map((a) => (a.id === 'f2' ? 'none' : 'board')));
    expect(boardSourceLabelIds(mapped.mapping, board).get('f1')).toEqual(new Set(['l2', 'l1', 'l4']));
  });

  it('takes examples from the source labels when the moderator chose none', () => {
    expect(byId.get('f1')?.examples.map((e) => e.interactionId)).toEqual(['i1', 'i2']);
    expect(byId.get('f1')?.examplesFrom).toBe('source-labels');
    expect(byId.get('f2')?.examples).toEqual([]);
    expect(byId.get('f2')?.examplesFrom).toBe('none');
  });

  it("prefers the moderator's own choice", () => {
    const named = deriveAxes(input, analyzeSession(input), { ...lookup, labels, board });
    expect(named.find((a) => a.id === 'f1')?.sourceLabels.map((l) => l.id)).toEqual(['l1', 'l2']);
  });
});

describe('interactionExcerpt', () => {
  it('cuts a long text at a word boundary and marks the cut', () => {
    const text = interactionExcerpt(long);
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
    const csv = axesToCsv(axes, { bom: false });
    expect(csv).toBe(
      [
        'rank,name,definition,group_top3,group_top5,ratings,agreement_mean,agreement_median,agree_share,example_interactions,source_labels',
        `1,"'=HYPERLINK(""x"")","Says ""I am not sure""\nwhen unsure",true,true,3,4.333,4,1,,`,
        '2,Balance,"Presents, fairly, more than one side",false,true,3,4,4,0.667,"Short   answer,\nsplit over lines.",fair | both sides',
        `3,Warmth,a|b,false,false,2,1.5,1.5,0,${long},`,
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
      examples: [{ interactionId: 'i', excerpt: '-2', prompt: null }],
      examplesFrom: 'moderator',
      sourceLabels: [{ id: 'l', text: '\tcmd' }],
      sourceLabelsFrom: 'moderator',
    };
    const [, row] = axesToCsv([axis], { bom: false }).split('\r\n');
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
      '| 2 | Balance | Presents, fairly, more than one side | 4 / 5 (67% agree, n=3) | **Q:** Who won?<br>**A:** “Short   answer,<br>split over lines.” | fair · both sides |',
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
          examplesFrom: 'none',
          sourceLabels: [],
          sourceLabelsFrom: 'none',
        },
      ],
      { title: 'T', generatedAt: 'now' },
    );
    expect(md).toContain('| 1 | &lt;script> | back\\\\slash | no ratings |  |  |');
  });
});

describe('text in any script', () => {
  const hindi: DerivedAxis = {
    rank: 1,
    id: 'h',
    name: 'संतुलित दृष्टिकोण',
    definition: 'कई दृष्टिकोण, "निष्पक्ष" ढंग से',
    inGroupTop3: true,
    inGroupTop5: true,
    agreement: { n: 1, mean: 4, median: 4, agreeShare: 1 },
    examples: [{ interactionId: 'i', excerpt: 'الإجابة كاملة، بلا قطع', prompt: 'ما هو؟' }],
    examplesFrom: 'moderator',
    sourceLabels: [
      { id: 'a', text: 'متوازن' },
      { id: 'b', text: 'संतुलित' },
    ],
    sourceLabelsFrom: 'board',
  };

  it('writes CSV as UTF-8 behind a byte-order mark, the texts exactly, quoted where needed', () => {
    const csv = axesToCsv([hindi]);
    expect(csv.startsWith('\uFEFFrank,name,')).toBe(true);
    expect(csv.split('\r\n')[1]).toBe(
      '1,संतुलित दृष्टिकोण,"कई दृष्टिकोण, ""निष्पक्ष"" ढंग से",true,true,1,4,4,1,الإجابة كاملة، بلا قطع,متوازن | संतुलित',
    );
    const bytes = new TextEncoder().encode(csv);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)).toBe(csv);
  });

  it('writes Markdown with the texts exactly', () => {
    const md = axesToMarkdown([hindi], { title: 'अक्ष', generatedAt: 'now' });
    expect(md).toContain(
      '| 1 | संतुलित दृष्टिकोण | कई दृष्टिकोण, "निष्पक्ष" ढंग से | 4 / 5 (100% agree, n=1) | **Q:** ما هو؟<br>**A:** “الإجابة كاملة، بلا قطع” | متوازن · संतुलित |',
    );
  });
});
