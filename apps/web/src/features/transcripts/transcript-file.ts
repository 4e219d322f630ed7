/** The file formats the transcripts routes read and write. */
export type TranscriptFormat = 'json' | 'csv' | 'ocml';

/** One problem of a refused import, as the server reports it. */
export interface ImportProblem {
  row: number;
  field?: string;
  message: string;
}

/** The content type to send a chosen file with: JSON by name or type, else CSV. */
export function contentTypeFor(file: { name: string; type: string }): 'application/json' | 'text/csv' {
  return /\.json$/i.test(file.name) || file.type.includes('json') ? 'application/json' : 'text/csv';
}

/** Reads the problems out of a 400 body, or [] when it is not an import refusal. */
export function importProblems(body: unknown): { format: TranscriptFormat | null; problems: ImportProblem[] } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return { format: null, problems: [] };
  const error = (body as { error: { problems?: unknown; format?: unknown } }).error;
  const problems = Array.isArray(error.problems)
    ? error.problems.filter(
        (p): p is ImportProblem =>
          typeof p === 'object' && p !== null && typeof p.row === 'number' && typeof p.message === 'string',
      )
    : [];
  const format = error.format === 'json' || error.format === 'csv' || error.format === 'ocml' ? error.format : null;
  return { format, problems };
}

/** The export's path for a group and format; `identified` asks for display names (moderators). */
export function exportPath(groupId: string, format: TranscriptFormat, identified: boolean): string {
  const query = new URLSearchParams({ format });
  if (identified) query.set('identified', 'true');
  return `/api/groups/${encodeURIComponent(groupId)}/transcripts?${query}`;
}

/** The file name a download is saved as. */
export function exportFileName(groupId: string, format: TranscriptFormat): string {
  const safe = groupId.replace(/[^A-Za-z0-9_-]/g, '_');
  return format === 'json'
    ? `calma-transcripts-${safe}.json`
    : format === 'ocml'
      ? `calma-transcripts-${safe}-ocml.csv`
      : `calma-transcripts-${safe}.csv`;
}

/** A short excerpt of a text for a list: whole words, at most `max` characters. */
export function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
