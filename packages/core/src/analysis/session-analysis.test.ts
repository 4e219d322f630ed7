import { describe, expect, it } from 'vitest';
import { type AnalysisInput, analyzeSession, type FinalAttributeInput } from './session-analysis.js';
import { expectCloseOrNull, reference } from './test-reference.js';

function attributes(...ids: string[]): FinalAttributeInput[] {
  return ids.map((id) => ({ id, name: id, definition: '', exampleInteractionIds: [], sourceLabelIds: [] }));
}

describe('analyzeSession against the Python reference', () => {
  it.each(reference.scenarios)('$name', ({ input, expected }) => {
    const actual = analyzeSession(input);
    expect(actual.participants).toBe(expected.participants);
    expect(actual.groupRanking).toEqual(expected.groupRanking);
    expectCloseOrNull(actual.concordance.segment1W, expected.concordance.segment1W, 'segment1W');
    expectCloseOrNull(actual.concordance.segment5W, expected.concordance.segment5W, 'segment5W');

    expect(Object.keys(actual.likert).sort()).toEqual(Object.keys(expected.likert).sort());
    for (const [id, summary] of Object.entries(expected.likert)) {
      const got = actual.likert[id];
      expect(got?.n, `likert ${id} n`).toBe(summary.n);
      expect(got?.counts, `likert ${id} counts`).toEqual(summary.counts);
      expectCloseOrNull(got?.mean ?? null, summary.mean, `likert ${id} mean`);
      expectCloseOrNull(got?.median ?? null, summary.median, `likert ${id} median`);
      expectCloseOrNull(got?.agreeShare ?? null, summary.agreeShare, `likert ${id} agreeShare`);
    }

    expect(actual.participantsShift.map((s) => s.participantId)).toEqual(
      expected.participantsShift.map((s) => s.participantId),
    );
    actual.participantsShift.forEach((shift, i) => {
      const want = expected.participantsShift[i];
      if (!want) throw new Error(`no expected shift at ${i}`);
      const who = shift.participantId;
      expectCloseOrNull(shift.tauWithGroupBefore, want.tauWithGroupBefore, `${who} tau before`);
      expectCloseOrNull(shift.tauWithGroupAfter, want.tauWithGroupAfter, `${who} tau after`);
      expectCloseOrNull(shift.top3JaccardBefore, want.top3JaccardBefore, `${who} jaccard before`);
      expectCloseOrNull(shift.top3JaccardAfter, want.top3JaccardAfter, `${who} jaccard after`);
    });
  });
});

describe('analyzeSession, by hand', () => {
  // Three final attributes; the group picks f1 then f2, so its rank vector is (1, 2, 3).
  const base: AnalysisInput = {
    finalAttributes: attributes('f1', 'f2', 'f3'),
    groupTop3: ['f1', 'f2'],
    groupTop5: [],
    mapping: { a: 'f2', b: 'f2', c: null },
    segment1: [
      // a and b both become f2: f2 takes the better rank (1); c maps to nothing. Ranks (2.5, 1, 2.5).
      {
        participantId: 'p1',
        attributes: [
          { id: 'b', rank: 2 },
          { id: 'a', rank: 1 },
          { id: 'c', rank: 3 },
        ],
      },
    ],
    segment5: [{ participantId: 'p2', likert: { f1: 5, f2: 4, f3: 1 }, ranking: ['f1', 'f3'] }],
  };

  it('maps segment-1 attributes, keeping the better rank of a shared target', () => {
    const [p1] = analyzeSession(base).participantsShift;
    // Versus (1, 2, 3): pair (f1,f2) discordant, (f1,f3) tied in x, (f2,f3) concordant: S = 0,
    // so tau-b = 0. Jaccard({f2}, {f1, f2}) = 1/2.
    expect(p1).toEqual({
      participantId: 'p1',
      tauWithGroupBefore: 0,
      tauWithGroupAfter: null,
      top3JaccardBefore: 0.5,
      top3JaccardAfter: null,
    });
  });

  it('puts the group picks first, then the rest by the segment-5 aggregate', () => {
    const analysis = analyzeSession({ ...base, groupTop3: ['f3'], groupTop5: ['f3', 'f2'] });
    // p2 ranks (1, 3, 2); the picks give f3, f2 and only f1 remains.
    expect(analysis.groupRanking).toEqual(['f3', 'f2', 'f1']);
    expect(analysis.participantsShift.map((s) => s.participantId)).toEqual(['p1', 'p2']);
    expect(analysis.participants).toBe(2);
  });

  it('falls back to the segment-5 aggregate, then Likert, then input order', () => {
    const analysis = analyzeSession({
      ...base,
      groupTop3: [],
      segment5: [
        // Mean ranks: g1 2, g2 2, g3 2, g4 4. Among the tied three, Likert means 3, 4.5, 4.5 put g1
        // last and leave g2/g3 to input position; g4 has no ratings, but its rank already puts it last.
        { participantId: 'p2', likert: { g1: 3, g2: 5, g3: 4 }, ranking: ['g1', 'g2', 'g3'] },
        { participantId: 'p3', likert: { g1: 3, g2: 4, g3: 5 }, ranking: ['g3', 'g2', 'g1'] },
      ],
      finalAttributes: attributes('g1', 'g2', 'g3', 'g4'),
      mapping: {},
    });
    expect(analysis.groupRanking).toEqual(['g2', 'g3', 'g1', 'g4']);
  });

  it('lets a re-submission replace the earlier one', () => {
    const analysis = analyzeSession({
      ...base,
      segment5: [
        { participantId: 'p2', likert: { f1: 1 }, ranking: ['f3'] },
        { participantId: 'p2', likert: { f1: 5, f2: 4, f3: 4 }, ranking: ['f1', 'f2'] },
      ],
    });
    expect(analysis.likert.f1?.counts).toEqual([0, 0, 0, 0, 1]);
    expect(analysis.participantsShift[1]?.tauWithGroupAfter).toBe(1);
  });

  it('ignores ids that only look like keys of the records', () => {
    const analysis = analyzeSession({
      ...base,
      finalAttributes: attributes('f1', 'f2', 'constructor'),
      mapping: {},
      segment5: [{ participantId: 'p2', likert: {}, ranking: ['toString', 'f2'] }],
    });
    // Neither the mapping nor the Likert record has own keys, so nothing is inherited from Object.
    expect(analysis.likert.constructor).toMatchObject({ n: 0, mean: null });
    expect(analysis.participantsShift[0]?.top3JaccardBefore).toBe(0);
    expect(analysis.participantsShift[1]?.top3JaccardAfter).toBeCloseTo(1 / 2, 12);
  });

  it('has no concordance and no tau when nothing can be compared', () => {
    const analysis = analyzeSession({ ...base, groupTop3: [], segment5: [] });
    expect(analysis.concordance).toEqual({ segment1W: null, segment5W: null });
    expect(analysis.participantsShift[0]?.tauWithGroupBefore).toBeNull();
    expect(analysis.groupRanking).toEqual(['f1', 'f2', 'f3']);
  });
});
