import { describe, expect, it } from 'vitest';
import { contentTypeFor, excerpt, exportFileName, exportPath, importProblems } from './transcript-file';

describe('transcript files in the web app', () => {
  it('sends JSON files as JSON and everything else as CSV', () => {
    expect(contentTypeFor({ name: 'a.JSON', type: '' })).toBe('application/json');
    expect(contentTypeFor({ name: 'export', type: 'application/json' })).toBe('application/json');
    expect(contentTypeFor({ name: 'a.csv', type: 'text/csv' })).toBe('text/csv');
    expect(contentTypeFor({ name: 'ocml.txt', type: 'text/plain' })).toBe('text/csv');
  });

  it('reads the problems of a refused import and ignores other bodies', () => {
    const body = {
      error: {
        code: 'VALIDATION_FAILED',
        message: 'x',
        format: 'csv',
        problems: [{ row: 3, field: 'role', message: 'bad' }, { row: 'x' }],
      },
    };
    expect(importProblems(body)).toEqual({ format: 'csv', problems: [{ row: 3, field: 'role', message: 'bad' }] });
    expect(importProblems({ error: { code: 'FORBIDDEN', message: 'no' } })).toEqual({ format: null, problems: [] });
    expect(importProblems('nope')).toEqual({ format: null, problems: [] });
  });

  it('builds export paths and file names', () => {
    expect(exportPath('gr_1', 'ocml', false)).toBe('/api/groups/gr_1/transcripts?format=ocml');
    expect(exportPath('gr_1', 'csv', true)).toBe('/api/groups/gr_1/transcripts?format=csv&identified=true');
    expect(exportFileName('gr:1', 'ocml')).toBe('calma-transcripts-gr_1-ocml.csv');
  });

  it('cuts excerpts at a word', () => {
    expect(excerpt('short')).toBe('short');
    expect(excerpt('one two three four five six', 12)).toBe('one two…');
  });
});
