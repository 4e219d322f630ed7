import Papa from 'papaparse';

/**
 * CSV through Papa Parse (maintained, no dependencies, the same code in Node and the browser):
 * RFC 4180 quoting both ways, quoted fields spanning lines, a BOM from spreadsheet exports.
 */

/** A CSV record with the 1-based line it starts on (quoted line breaks make records span lines). */
export interface CsvRecord {
  line: number;
  fields: string[];
  error?: string;
}

/** Splits CSV text into records, each with the line it starts on; blank lines are skipped. */
export function readCsv(text: string): CsvRecord[] {
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let start = 0;
  let line = 1;
  Papa.parse<string[]>(input, {
    delimiter: ',',
    step: (result) => {
      const end = result.meta.cursor;
      const fields = result.data;
      const record: CsvRecord = { line, fields };
      const error = result.errors[0];
      if (error) record.error = error.message;
      if (!(fields.length === 1 && fields[0]?.trim() === '') || error) records.push(record);
      line += countLineBreaks(input, start, end);
      start = end;
    },
  });
  return records;
}

function countLineBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i += 1) if (text.charCodeAt(i) === 10) n += 1;
  // A record ending in a lone CR (old Mac files) still ends a line.
  if (n === 0 && to > from && text.charCodeAt(to - 1) === 13) n = 1;
  return n;
}

/** How {@link writeCsv} writes: for spreadsheets (BOM, formulas defused) or for other tools. */
export interface CsvStyle {
  /**
   * For spreadsheets: UTF-8 behind a byte-order mark (else Excel reads Devanagari as mojibake),
   * and a cell starting with = + - @ or a tab gets a leading `'` so that a spreadsheet never runs
   * a participant's text as a formula ({@link unguardCell} takes it off again on import).
   */
  spreadsheet: boolean;
}

/** RFC 4180 CSV (CRLF line ends, quotes only where needed) from rows of cells. */
export function writeCsv(rows: (string | number | boolean | null | undefined)[][], style: CsvStyle): string {
  const cells = rows.map((row) => row.map((c) => (c === null || c === undefined ? '' : String(c))));
  const body = Papa.unparse(cells, { newline: '\r\n', quotes: false, escapeFormulae: style.spreadsheet });
  return `${style.spreadsheet ? '\uFEFF' : ''}${body}\r\n`;
}

/** Undoes the formula guard of a spreadsheet-style cell. */
export function unguardCell(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}
