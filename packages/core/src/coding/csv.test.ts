import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { codebookEntries, toCodebookCsv, toCodedSegmentsCsv } from './csv.js';

const parse = (csv: string) => {
  expect(csv.startsWith('\uFEFF')).toBe(true);
  return Papa.parse<Record<string, string>>(csv.slice(1), { header: true, skipEmptyLines: true }).data;
};

describe('codebook CSV', () => {
  it('merges spellings, counts uses and coders, and lists signed attributes with definitions', () => {
    const labels = [
      { id: 'l1', text: 'warm', participantId: 'pa' },
      { id: 'l2', text: ' Warm ', participantId: 'pb' },
      { id: 'l3', text: 'warm', participantId: 'pa' },
      { id: 'l4', text: 'cold', participantId: null },
      { id: 'l5', text: '=SUM(A1)', participantId: null },
    ];
    const entries = codebookEntries(labels, [
      {
        name: 'Warmth',
        definition: 'Kind, friendly',
        codes: [
          { labelId: 'l1', sign: 1 },
          { labelId: 'l4', sign: -1 },
        ],
      },
      {
        name: 'Tone',
        definition: 'How it sounds',
        codes: [
          { labelId: 'l2', sign: 1 },
          { labelId: 'l3', sign: 1 },
        ],
      },
    ]);
    expect(entries.map((e) => [e.code, e.uses, e.coders, e.attributes.length])).toEqual([
      ['warm', 3, 2, 2],
      ['cold', 1, 1, 1],
      ['=SUM(A1)', 1, 1, 0],
    ]);
    const rows = parse(toCodebookCsv(entries));
    expect(rows[0]).toEqual({
      code: 'warm',
      uses: '3',
      coders: '2',
      attributes: 'Warmth (for)\nTone (for)',
      attribute_definitions: 'Warmth: Kind, friendly\nTone: How it sounds',
    });
    expect(rows[1]?.attributes).toBe('Warmth (against)');
    // Formula injection: the cell is defused the way every Calma spreadsheet export does it.
    expect(rows[2]?.code).toBe("'=SUM(A1)");
  });
});

describe('coded segments CSV', () => {
  it('quotes the coded words of a span, or the whole turn', () => {
    const csv = toCodedSegmentsCsv([
      {
        coder: 'P1',
        interactionId: 'i1',
        messageIndex: 1,
        span: { start: 5, end: 9 },
        messageText: 'Very warm, "friendly" text',
        code: 'warm',
        note: 'line one\nline two',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      {
        coder: 'Moderator',
        interactionId: 'i1',
        messageIndex: 1,
        span: null,
        messageText: 'Very warm, "friendly" text',
        code: '+plus',
        note: null,
        createdAt: '2026-01-02T00:00:00.000Z',
      },
    ]);
    const rows = parse(csv);
    expect(rows[0]).toEqual({
      coder: 'P1',
      interaction_id: 'i1',
      message_index: '1',
      span_start: '5',
      span_end: '9',
      coded_text: 'warm',
      code: 'warm',
      note: 'line one\nline two',
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect(rows[1]).toMatchObject({ span_start: '', coded_text: 'Very warm, "friendly" text', code: "'+plus" });
  });
});
