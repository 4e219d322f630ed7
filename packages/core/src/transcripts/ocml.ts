import { checkFile, checkInteraction, messageProblem, Problems } from './check.js';
import { readCsv, writeCsv } from './csv-rows.js';
import type { TranscriptInteraction, TranscriptMessage, TranscriptParse } from './model.js';

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

/** Reads OCML's CSV; the title row (`0`) is optional here; problems carry the record's line. */
export function parseOcmlCsv(text: string): TranscriptParse & { title?: string } {
  const records = readCsv(text);
  const header = records[0];
  const problems = new Problems();
  const fieldsOf = (fields: string[]) => (fields.length === 3 && fields[2] === '' ? fields.slice(0, 2) : fields);
  if (!header) return { ok: false, problems: [{ row: 1, message: 'the file is empty' }] };
  const names = fieldsOf(header.fields).map((f) => f.trim().toUpperCase());
  if (names.length !== 2 || names[0] !== 'ID' || names[1] !== 'TEXT') {
    return { ok: false, problems: [{ row: header.line, message: 'the header must be ID,TEXT' }] };
  }
  let title: string | undefined;
  const seen = new Set<string>();
  const items: { item: TranscriptInteraction; row: number }[] = [];
  for (const record of records.slice(1)) {
    const row = record.line;
    if (record.error) {
      problems.add(row, `not valid CSV: ${record.error}`);
      continue;
    }
    const fields = fieldsOf(record.fields);
    if (fields.length !== 2) {
      problems.add(row, `expected 2 fields (ID,TEXT), found ${fields.length}`);
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
    if (Number(id) === 0) {
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
    checkInteraction(item, row, problems);
    items.push({ item, row });
  }
  if (problems.list.length === 0) checkFile(items, problems);
  if (problems.list.length > 0) return { ok: false, problems: problems.list };
  return { ok: true, interactions: items.map((i) => i.item), ...(title !== undefined ? { title } : {}) };
}
