import { XMLParser } from 'fast-xml-parser';
import {
  type QdaCode,
  type QdaCoding,
  QdaFormatError,
  type QdaNote,
  type QdaProject,
  type QdaSelection,
  type QdaTextSource,
  type QdaVariable,
  type QdaVariableValue,
} from './model.js';
import { isGuid, normalGuid } from './uuid.js';

type Node = Record<string, unknown>;

const lists = new Set([
  'User',
  'Code',
  'Variable',
  'TextSource',
  'PlainTextSelection',
  'Coding',
  'NoteRef',
  'VariableValue',
  'Note',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Only the five XML entities and character references are decoded; a DOCTYPE never gets this
  // far (refused below), so no declared entity, internal or external, is ever expanded.
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => lists.has(name),
});

function list(node: Node | undefined, name: string): Node[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as Node[]) : [];
}

function child(node: Node | undefined, name: string): Node | undefined {
  const value = node?.[name];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function text(node: Node | undefined, name: string): string | undefined {
  const value = node?.[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as Node)['#text'] === 'string') {
    return (value as Node)['#text'] as string;
  }
  return value === undefined ? undefined : '';
}

function attr(node: Node, name: string): string | undefined {
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

function guidAttr(node: Node, name: string, where: string, required: true): string;
function guidAttr(node: Node, name: string, where: string, required: false): string | undefined;
function guidAttr(node: Node, name: string, where: string, required: boolean): string | undefined {
  const value = attr(node, name)?.trim();
  if (value === undefined) {
    if (required) throw new QdaFormatError(`${where} has no ${name}`);
    return undefined;
  }
  if (!isGuid(value)) throw new QdaFormatError(`${where} has ${name} "${value.slice(0, 60)}", which is not a GUID`);
  return normalGuid(value);
}

function position(node: Node, name: string, where: string): number {
  const value = attr(node, name)?.trim() ?? '';
  if (!/^\d{1,15}$/.test(value))
    throw new QdaFormatError(`${where} has ${name} "${value.slice(0, 30)}", not a position`);
  return Number(value);
}

function readCode(node: Node, depth: number): QdaCode {
  if (depth > 32) throw new QdaFormatError('The codebook nests codes more than 32 deep');
  const guid = guidAttr(node, 'guid', 'A Code', true);
  const name = attr(node, 'name');
  if (name === undefined) throw new QdaFormatError(`Code ${guid} has no name`);
  return {
    guid,
    name,
    isCodable: (attr(node, 'isCodable') ?? 'true').trim() !== 'false',
    description: text(node, 'Description'),
    noteGuids: list(node, 'NoteRef').map((n) => guidAttr(n, 'targetGUID', `A NoteRef of code ${guid}`, true)),
    children: list(node, 'Code').map((c) => readCode(c, depth + 1)),
  };
}

function readCoding(node: Node): QdaCoding {
  const guid = guidAttr(node, 'guid', 'A Coding', true);
  const ref = child(node, 'CodeRef');
  if (!ref) throw new QdaFormatError(`Coding ${guid} has no CodeRef`);
  return {
    guid,
    codeGuid: guidAttr(ref, 'targetGUID', `The CodeRef of coding ${guid}`, true),
    creatingUser: guidAttr(node, 'creatingUser', `Coding ${guid}`, false),
    creationDateTime: attr(node, 'creationDateTime'),
    noteGuids: list(node, 'NoteRef').map((n) => guidAttr(n, 'targetGUID', `A NoteRef of coding ${guid}`, true)),
  };
}

function readSelection(node: Node): QdaSelection {
  const guid = guidAttr(node, 'guid', 'A PlainTextSelection', true);
  const where = `PlainTextSelection ${guid}`;
  return {
    guid,
    name: attr(node, 'name'),
    start: position(node, 'startPosition', where),
    end: position(node, 'endPosition', where),
    creatingUser: guidAttr(node, 'creatingUser', where, false),
    creationDateTime: attr(node, 'creationDateTime'),
    codings: list(node, 'Coding').map(readCoding),
  };
}

function readVariableValue(node: Node): QdaVariableValue | undefined {
  const ref = child(node, 'VariableRef');
  if (!ref) return undefined;
  const variableGuid = guidAttr(ref, 'targetGUID', 'A VariableRef', true);
  const bool = text(node, 'BooleanValue');
  if (bool !== undefined) return { variableGuid, value: bool.trim() === 'true' || bool.trim() === '1' };
  const value = text(node, 'TextValue');
  return value === undefined ? undefined : { variableGuid, value };
}

function readSource(node: Node): QdaTextSource {
  const guid = guidAttr(node, 'guid', 'A TextSource', true);
  return {
    guid,
    name: attr(node, 'name') ?? guid,
    plainTextPath: attr(node, 'plainTextPath'),
    plainTextContent: text(node, 'PlainTextContent'),
    creatingUser: guidAttr(node, 'creatingUser', `TextSource ${guid}`, false),
    creationDateTime: attr(node, 'creationDateTime'),
    selections: list(node, 'PlainTextSelection').map(readSelection),
    codings: list(node, 'Coding').map(readCoding),
    variables: list(node, 'VariableValue').flatMap((v) => readVariableValue(v) ?? []),
  };
}

function readNote(node: Node): QdaNote {
  const guid = guidAttr(node, 'guid', 'A Note', true);
  return {
    guid,
    name: attr(node, 'name'),
    text: text(node, 'PlainTextContent') ?? '',
    creatingUser: guidAttr(node, 'creatingUser', `Note ${guid}`, false),
    creationDateTime: attr(node, 'creationDateTime'),
  };
}

/**
 * Reads `project.qde`. A document type declaration is refused outright: QDA-XML needs none, and
 * refusing it is what guarantees that no entity (an external one above all: XXE) is expanded.
 * Sources other than text sources (pictures, PDF, audio, video) are not read.
 * @throws QdaFormatError naming what is wrong.
 */
export function parseProjectXml(xml: string): QdaProject {
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new QdaFormatError(
      'project.qde declares a DOCTYPE or entities; they are not accepted (no external entities)',
    );
  }
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (err) {
    throw new QdaFormatError(`project.qde is not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const project = child(doc, 'Project');
  if (!project) throw new QdaFormatError('project.qde has no Project root element');
  const variables: QdaVariable[] = list(child(project, 'Variables'), 'Variable').map((v) => {
    const type = attr(v, 'typeOfVariable');
    return {
      guid: guidAttr(v, 'guid', 'A Variable', true),
      name: attr(v, 'name') ?? '',
      type: type === 'Boolean' ? 'Boolean' : 'Text',
    };
  });
  return {
    name: attr(project, 'name') ?? '',
    origin: attr(project, 'origin'),
    creationDateTime: attr(project, 'creationDateTime'),
    users: list(child(project, 'Users'), 'User').map((u) => {
      const guid = guidAttr(u, 'guid', 'A User', true);
      return { guid, name: attr(u, 'name') ?? attr(u, 'id') ?? guid };
    }),
    codes: list(child(child(project, 'CodeBook'), 'Codes'), 'Code').map((c) => readCode(c, 0)),
    variables,
    sources: list(child(project, 'Sources'), 'TextSource').map(readSource),
    notes: list(child(project, 'Notes'), 'Note').map(readNote),
  };
}
