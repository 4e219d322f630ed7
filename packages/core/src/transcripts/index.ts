import { parseTranscriptCsv } from './csv.js';
import { readCsv } from './csv-rows.js';
import { parseTranscriptJson } from './json.js';
import type { TranscriptFormat, TranscriptParse } from './model.js';
import { isOcmlHeader, parseOcmlCsv } from './ocml.js';

export * from './csv.js';
export * from './json.js';
export * from './model.js';
export * from './ocml.js';
export * from './pseudonyms.js';

/**
 * Which format a file is in: JSON when it starts with `{` or `[` (or the content type says so),
 * OCML when its header is `ID,TEXT` (with OCML's optional code columns), else Calma's CSV.
 */
export function detectTranscriptFormat(text: string, contentType?: string): TranscriptFormat {
  const start = text.replace(/^\uFEFF/, '').trimStart();
  if (contentType?.includes('json') || start.startsWith('{') || start.startsWith('[')) return 'json';
  const header = readCsv(start.split(/\r?\n/, 1)[0] ?? '')[0]?.fields ?? [];
  return isOcmlHeader(header) ? 'ocml' : 'csv';
}

/** Parses a transcript file of `format`. */
export function parseTranscripts(text: string, format: TranscriptFormat): TranscriptParse {
  switch (format) {
    case 'json':
      return parseTranscriptJson(text);
    case 'ocml':
      return parseOcmlCsv(text);
    default:
      return parseTranscriptCsv(text);
  }
}
