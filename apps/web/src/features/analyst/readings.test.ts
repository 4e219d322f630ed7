import { describe, expect, it } from 'vitest';
import { formatNumber, formatShare } from './format';
import { meanOf, readingsOf, trend } from './readings';

describe('the readings of an analysis', () => {
  it('says rose, fell, stayed or missing', () => {
    expect(trend(0.04, 0.7)).toBe('rose');
    expect(trend(0.7, 0.04)).toBe('fell');
    expect(trend(0.5, 0.52)).toBe('stayed');
    expect(trend(null, 0.5)).toBe('missing');
    expect(meanOf([null, 1, 0])).toBe(0.5);
    expect(meanOf([null])).toBeNull();
  });

  it('finds the trend of W, tau and Jaccard and the most and least agreed attributes', () => {
    const readings = readingsOf({
      participants: 2,
      likert: {
        a: { n: 2, mean: 4.5, median: 4.5, counts: [0, 0, 0, 1, 1], agreeShare: 1 },
        b: { n: 2, mean: 2, median: 2, counts: [0, 2, 0, 0, 0], agreeShare: 0 },
      },
      concordance: { segment1W: 0.04, segment5W: 0.7701149425287356 },
      participantsShift: [
        {
          participantId: 'p',
          tauWithGroupBefore: 0,
          tauWithGroupAfter: 1,
          top3JaccardBefore: 0.5,
          top3JaccardAfter: 1,
        },
        { participantId: 'q', tauWithGroupBefore: 1, tauWithGroupAfter: 1, top3JaccardBefore: 1, top3JaccardAfter: 1 },
      ],
      groupRanking: ['a', 'b'],
    });
    expect(readings.concordance.trend).toBe('rose');
    expect(readings.tau).toEqual({ before: 0.5, after: 1, trend: 'rose' });
    expect(readings.tauPeople).toEqual({ total: 2, closer: 1 });
    expect(readings.jaccard.trend).toBe('rose');
    expect(readings.likert).toEqual({ best: { id: 'a', share: 1 }, worst: { id: 'b', share: 0 } });
  });

  it('rounds every number shown', () => {
    expect(formatNumber(0.7701149425287356, 'en')).toBe('0.77');
    expect(formatNumber(-0.0001, 'en')).toBe('0');
    expect(formatNumber(null, 'en')).toBe('–');
    expect(formatShare(2 / 3, 'en')).toBe('67%');
  });
});
