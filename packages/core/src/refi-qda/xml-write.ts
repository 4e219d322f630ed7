import type { QdaCode, QdaCoding, QdaNote, QdaProject, QdaSelection, QdaTextSource } from './model.js';

/** The namespace of QDA-XML 1.0 projects. */
export const qdaNamespace = 'urn:QDA-XML:project:1.0';

// Characters XML 1.0 cannot carry at all (C0 controls other than tab, newline, return; lone
// surrogates; U+FFFE/U+FFFF): dropped, or the file would not parse anywhere.
const notXml =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding the characters XML cannot carry is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for element content. */
export function escapeText(value: string): string {
  return value.replace(notXml, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for a double-quoted attribute; whitespace as references so attribute normalization keeps it. */
export function escapeAttribute(value: string): string {
  return escapeText(value)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

type Attrs = Record<string, string | number | boolean | undefined>;

function open(name: string, attrs: Attrs, selfClose = false): string {
  const parts = Object.entries(attrs)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`);
  return `<${name}${parts.join('')}${selfClose ? '/>' : '>'}`;
}

function codeXml(code: QdaCode, out: string[]): void {
  const empty = code.description === undefined && code.noteGuids.length === 0 && code.children.length === 0;
  out.push(open('Code', { guid: code.guid, name: code.name, isCodable: code.isCodable }, empty));
  if (empty) return;
  if (code.description !== undefined) out.push(`<Description>${escapeText(code.description)}</Description>`);
  for (const note of code.noteGuids) out.push(open('NoteRef', { targetGUID: note }, true));
  for (const child of code.children) codeXml(child, out);
  out.push('</Code>');
}

function codingXml(coding: QdaCoding, out: string[]): void {
  out.push(
    open('Coding', { guid: coding.guid, creatingUser: coding.creatingUser, creationDateTime: coding.creationDateTime }),
  );
  out.push(open('CodeRef', { targetGUID: coding.codeGuid }, true));
  for (const note of coding.noteGuids) out.push(open('NoteRef', { targetGUID: note }, true));
  out.push('</Coding>');
}

function selectionXml(selection: QdaSelection, out: string[]): void {
  out.push(
    open('PlainTextSelection', {
      guid: selection.guid,
      name: selection.name,
      startPosition: selection.start,
      endPosition: selection.end,
      creatingUser: selection.creatingUser,
      creationDateTime: selection.creationDateTime,
    }),
  );
  for (const coding of selection.codings) codingXml(coding, out);
  out.push('</PlainTextSelection>');
}

function sourceXml(source: QdaTextSource, out: string[]): void {
  out.push(
    open('TextSource', {
      guid: source.guid,
      name: source.name,
      plainTextPath: source.plainTextPath,
      creatingUser: source.creatingUser,
      creationDateTime: source.creationDateTime,
    }),
  );
  // Element order is the schema's sequence: content, selections, codings, notes, variables.
  if (source.plainTextContent !== undefined) {
    out.push(`<PlainTextContent>${escapeText(source.plainTextContent)}</PlainTextContent>`);
  }
  for (const selection of source.selections) selectionXml(selection, out);
  for (const coding of source.codings) codingXml(coding, out);
  for (const v of source.variables) {
    out.push('<VariableValue>', open('VariableRef', { targetGUID: v.variableGuid }, true));
    out.push(
      typeof v.value === 'boolean'
        ? `<BooleanValue>${v.value}</BooleanValue>`
        : `<TextValue>${escapeText(v.value)}</TextValue>`,
    );
    out.push('</VariableValue>');
  }
  out.push('</TextSource>');
}

function noteXml(note: QdaNote, out: string[]): void {
  out.push(
    open('Note', {
      guid: note.guid,
      name: note.name,
      creatingUser: note.creatingUser,
      creationDateTime: note.creationDateTime,
    }),
  );
  out.push(`<PlainTextContent>${escapeText(note.text)}</PlainTextContent>`, '</Note>');
}

/**
 * `project.qde` for a project: elements in the order Project.xsd's sequences require, empty
 * collections left out (the schema wants at least one child where a collection is present).
 */
export function writeProjectXml(project: QdaProject): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  out.push(
    open('Project', {
      xmlns: qdaNamespace,
      name: project.name,
      origin: project.origin,
      creationDateTime: project.creationDateTime,
    }),
  );
  if (project.users.length > 0) {
    out.push('<Users>');
    for (const user of project.users) out.push(open('User', { guid: user.guid, name: user.name }, true));
    out.push('</Users>');
  }
  if (project.codes.length > 0) {
    out.push('<CodeBook><Codes>');
    for (const code of project.codes) codeXml(code, out);
    out.push('</Codes></CodeBook>');
  }
  if (project.variables.length > 0) {
    out.push('<Variables>');
    for (const v of project.variables) {
      out.push(open('Variable', { guid: v.guid, name: v.name, typeOfVariable: v.type }, true));
    }
    out.push('</Variables>');
  }
  if (project.sources.length > 0) {
    out.push('<Sources>');
    for (const source of project.sources) sourceXml(source, out);
    out.push('</Sources>');
  }
  if (project.notes.length > 0) {
    out.push('<Notes>');
    for (const note of project.notes) noteXml(note, out);
    out.push('</Notes>');
  }
  out.push('</Project>\n');
  return out.join('');
}
