import { describe, expect, it } from 'vitest';
import { agreementLevel, formatAlpha } from './agreement-sentence';

describe('agreement level', () => {
  it("follows Krippendorff's 0.667 and 0.8 thresholds", () => {
    expect(agreementLevel(0.81)).toBe('good');
    expect(agreementLevel(0.8)).toBe('good');
    expect(agreementLevel(0.7999)).toBe('tentative');
    expect(agreementLevel(0.667)).toBe('tentative');
    expect(agreementLevel(0.5)).toBe('poor');
    expect(agreementLevel(-0.2)).toBe('poor');
    expect(agreementLevel(null)).toBe('none');
    expect(formatAlpha(0.8149)).toBe('0.81');
    expect(formatAlpha(null)).toBe('–');
  });
});
