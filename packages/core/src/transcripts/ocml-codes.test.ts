import { describe, expect, it } from 'vitest';
import { detectTranscriptFormat, parseTranscripts } from './index.js';
import { ocmlCodedTurn, splitOcmlCodes } from './ocml.js';

describe("OCML's coded export (codes as `;`-separated strings)", () => {
  it('splits codes on ;, trimming, dropping empty pieces and repeats', () => {
    expect(splitOcmlCodes(' warm ;; polite;warm; ;')).toEqual(['warm', 'polite']);
    expect(splitOcmlCodes('')).toEqual([]);
  });

  it("reads OCML's ID,TEXT,LABEL results: 0-based ids, no title row, codes on the answer", () => {
    const r = parseTranscripts('ID,TEXT,LABEL\n0,I went to the park,joy;outdoors\n1,Nothing today,\n', 'ocml');
    expect(r.ok && r.interactions).toEqual([
      {
        participant: null,
        baseline: false,
        messages: [{ role: 'assistant', content: 'I went to the park' }],
        codes: { texts: ['joy', 'outdoors'], coder: null, note: null, row: 2 },
      },
      { participant: null, baseline: false, messages: [{ role: 'assistant', content: 'Nothing today' }] },
    ]);
  });

  it('takes a codes column by any casing, with a coder and a note', () => {
    const csv = 'id,text,Codes,coder,annotation\n1,"User: hi\n\nAssistant: Hello",नम्र; warm ,P2,because\n';
    expect(detectTranscriptFormat(csv)).toBe('ocml');
    const r = parseTranscripts(csv, 'ocml');
    expect(r.ok && r.interactions[0]?.codes).toEqual({ texts: ['नम्र', 'warm'], coder: 'P2', note: 'because', row: 2 });
    expect(r.ok && ocmlCodedTurn(r.interactions[0]?.messages ?? [])).toBe(1);
  });

  it('refuses the whole file over one bad row, naming its line and column', () => {
    const long = 'x'.repeat(501);
    const r = parseTranscripts(`ID,TEXT,CODES\n1,fine,ok\n2,too long,${long}\n3,"User: only a question",q\n`, 'ocml');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => [p.row, p.field])).toEqual([
      [3, 'CODES'],
      [4, 'CODES'],
    ]);
  });

  it('refuses an unknown extra column rather than dropping it', () => {
    const r = parseTranscripts('ID,TEXT,SCORE\n1,a,3\n', 'ocml');
    expect(!r.ok && r.problems[0]?.message).toMatch(/header must be ID,TEXT/);
    expect(detectTranscriptFormat('ID,TEXT,SCORE\n')).toBe('csv');
  });
});
