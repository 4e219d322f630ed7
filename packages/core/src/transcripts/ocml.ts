import { checkFile, checkInteraction, messageProblem, Problems } from './check.js';
import { readCsv, unguardCell, writeCsv } from './csv-rows.js';
import {
  type TranscriptCodes,
  type TranscriptInteraction,
  type TranscriptMessage,
  type TranscriptParse,
  transcriptLimits,
} from './model.js';

/**
 * OCML (Open Coding for Machine Learning) reads a dataset as a two-column CSV, as its
 * `process_data.py` checks it: the header `ID,TEXT`; then the row `0,<dataset title>`; then one row
 * per text, `ID` a whole number from 1, unique. Exactly two fields per row (its reader refuses
 * files with more), so Calma writes no trailing comma even though OCML's README shows one.
 *
 * One row per interaction; TEXT is its transcript. A one-message interaction (a quoted model
 * response, as in the baseline set) is its text alone, since that is what gets coded; a longer one
 * is written turn by turn, `User: …` and `Assistant: …`, separated by blank lines. Reading a file
 * back, those markers split the text into turns again; text without them is one assistant
 * message. OCML's numeric ids cannot hold Calma's ids, so rows are numbered 1..N in export order
 * and an import gets new ids.
 */
const speakers: Record<TranscriptMessage['role'], string> = { user: 'User', assistant: 'Assistant' };

/** Where an import puts an interaction's codes: its last assistant turn (OCML coded the whole text). */
export function ocmlCodedTurn(messages: readonly Pick<TranscriptMessage, 'role'>[]): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) if (messages[i]?.role === 'assistant') return i;
  return -1;
}

/** The transcript of one interaction as OCML's TEXT. */
export function ocmlText(messages: Pick<TranscriptMessage, 'role' | 'content'>[]): string {
  if (messages.length === 1) return messages[0]?.content ?? '';
  return messages.map((m) => `${speakers[m.role]}: ${m.content}`).join('\n\n');
}

/** OCML's CSV: the title row, then one row per interaction. */
export function toOcmlCsv(interactions: TranscriptInteraction[], title: string): string {
  // No BOM (OCML's reader would see "\uFEFFID" and refuse the header) and the text as written.
  return writeCsv(
    [['ID', 'TEXT'], ['0', title], ...interactions.map((item, i) => [String(i + 1), ocmlText(item.messages)])],
    { spreadsheet: false },
  );
}

const turnStart = /^(User|Assistant):[ \t]?/gmu;

/** Splits an OCML TEXT back into turns (see the module comment). */
export function messagesFromOcmlText(text: string): TranscriptMessage[] {
  const marks = [...text.matchAll(turnStart)].filter((m) => m.index === 0 || text.slice(0, m.index).endsWith('\n'));
  if (marks.length === 0 || marks[0]?.index !== 0) return [{ role: 'assistant', content: text.trim() }];
  return marks.map((mark, i) => {
    const end = marks[i + 1]?.index ?? text.length;
    const role: TranscriptMessage['role'] = mark[1] === 'User' ? 'user' : 'assistant';
    return { role, content: text.slice((mark.index ?? 0) + mark[0].length, end).trim() };
  });
}

/**
 * The columns of OCML's CSVs beyond `ID,TEXT`, by their (case-insensitive) header. OCML's results
 * file is `ID,TEXT,LABEL` (its `write_to_csv`); a label there, or in a `CODES`/`LABELS` column of
 * a file made by hand, may hold several codes separated by `;`. `CODER` names who coded (a
 * participant id, display name or export pseudonym `P1`; the importer resolves it), and
 * `ANNOTATION` (OCML's notes file) or `NOTE` becomes the note on the row's codes.
 */
const codeColumns = ['LABEL', 'LABELS', 'CODE', 'CODES'];
const coderColumns = ['CODER'];
const noteColumns = ['ANNOTATION', 'NOTE', 'NOTES'];

/** Whether an `ID,TEXT…` header is OCML's: `ID`, `TEXT`, then only the columns above. */
export function isOcmlHeader(fields: readonly string[]): boolean {
  const names = trimTrailingEmpty(fields.map((f) => f.trim().toUpperCase()));
  if (names.length < 2 || names[0] !== 'ID' || names[1] !== 'TEXT') return false;
  const rest = names.slice(2);
  const known = [...codeColumns, ...coderColumns, ...noteColumns];
  return rest.every((n) => known.includes(n)) && new Set(rest).size === rest.length;
}

/** OCML writes `ID,TEXT,` in its README: a trailing empty field is no column. */
function trimTrailingEmpty(fields: string[]): string[] {
  return fields.length > 2 && fields[fields.length - 1] === '' ? fields.slice(0, -1) : fields;
}

/** Splits a codes cell on `;`: pieces trimmed, empty ones dropped, repeats (same spelling) kept once. */
export function splitOcmlCodes(cell: string): string[] {
  return [...new Set(cell.split(';').map((piece) => piece.trim()))].filter((piece) => piece !== '');
}

/**
 * Reads OCML's CSV; problems carry the record's line. In `ID,TEXT`, row `0` is the dataset's
 * title (optional here). With a codes column the file is OCML's results, which number the texts
 * from 0 and have no title row: row `0` is a text like any other.
 */
export function parseOcmlCsv(text: string): TranscriptParse & { title?: string } {
  const records = readCsv(text);
  const header = records[0];
  const problems = new Problems();
  if (!header) return { ok: false, problems: [{ row: 1, message: 'the file is empty' }] };
  if (!isOcmlHeader(header.fields)) {
    return {
      ok: false,
      problems: [
        {
          row: header.line,
          message: `the header must be ID,TEXT, optionally followed by a codes column (${codeColumns.join(', ')}), ${coderColumns.join(', ')} and ${noteColumns.join(' or ')}`,
        },
      ],
    };
  }
  const names = trimTrailingEmpty(header.fields.map((f) => f.trim().toUpperCase()));
  const at = (list: string[]) => names.findIndex((n) => list.includes(n));
  const codesAt = at(codeColumns);
  const coderAt = at(coderColumns);
  const noteAt = at(noteColumns);
  const titled = codesAt < 0;
  const fieldsOf = (fields: string[]) =>
    fields.length === names.length + 1 && fields[names.length] === '' ? fields.slice(0, names.length) : fields;
  let title: string | undefined;
  let codeCount = 0;
  const seen = new Set<string>();
  const items: { item: TranscriptInteraction; row: number }[] = [];
  for (const record of records.slice(1)) {
    const row = record.line;
    if (record.error) {
      problems.add(row, `not valid CSV: ${record.error}`);
      continue;
    }
    const fields = fieldsOf(record.fields);
    if (fields.length !== names.length) {
      problems.add(row, `expected ${names.length} fields (${names.join(',')}), found ${fields.length}`);
      continue;
    }
    const [id = '', text = ''] = fields.map((f) => f.trim());
    if (!/^\d+$/.test(id)) {
      problems.add(row, 'ID must be a whole number', 'ID');
      continue;
    }
    if (seen.has(String(Number(id)))) {
      problems.add(row, `ID ${id} repeats`, 'ID');
      continue;
    }
    seen.add(String(Number(id)));
    if (titled && Number(id) === 0) {
      title = text;
      continue;
    }
    const messages = messagesFromOcmlText(fields[1] ?? '');
    const problem = messages.map(messageProblem).find((p) => p !== null);
    if (problem) {
      problems.add(row, problem, 'TEXT');
      continue;
    }
    const item: TranscriptInteraction = { participant: null, baseline: false, messages };
    if (codesAt >= 0) {
      const codes = readCodes(fields, { codesAt, coderAt, noteAt }, row, names, problems);
      if (codes === undefined) continue;
      if (codes && !messages.some((m) => m.role === 'assistant')) {
        problems.add(row, 'codes need an assistant turn to go on', names[codesAt]);
        continue;
      }
      codeCount += codes?.texts.length ?? 0;
      if (codes) item.codes = codes;
    }
    checkInteraction(item, row, problems);
    items.push({ item, row });
  }
  if (codeCount > transcriptLimits.codes) problems.add(1, `at most ${transcriptLimits.codes} codes per import`);
  if (problems.list.length === 0) checkFile(items, problems);
  if (problems.list.length > 0) return { ok: false, problems: problems.list };
  return { ok: true, interactions: items.map((i) => i.item), ...(title !== undefined ? { title } : {}) };
}

/** A row's codes: null when it has none, undefined when a problem was recorded. */
function readCodes(
  fields: string[],
  at: { codesAt: number; coderAt: number; noteAt: number },
  row: number,
  names: string[],
  problems: Problems,
): TranscriptCodes | null | undefined {
  const codeColumn = names[at.codesAt] ?? 'CODES';
  const texts = splitOcmlCodes(unguardCell(fields[at.codesAt] ?? ''));
  const long = texts.find((t) => t.length > transcriptLimits.codeChars);
  if (long !== undefined) {
    problems.add(row, `a code is longer than ${transcriptLimits.codeChars} characters`, codeColumn);
    return undefined;
  }
  const note = at.noteAt < 0 ? '' : unguardCell(fields[at.noteAt] ?? '').trim();
  if (note.length > transcriptLimits.noteChars) {
    problems.add(row, `the note is longer than ${transcriptLimits.noteChars} characters`, names[at.noteAt]);
    return undefined;
  }
  if (texts.length === 0) return null;
  const coder = at.coderAt < 0 ? '' : (fields[at.coderAt] ?? '').trim();
  return { texts, coder: coder === '' ? null : coder, note: note === '' ? null : note, row };
}
