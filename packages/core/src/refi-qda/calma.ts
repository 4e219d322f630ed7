import { type QdaCode, type QdaCoding, QdaFormatError, type QdaProject, type QdaTextSource } from './model.js';
import { stableGuid } from './uuid.js';

/** A character range of one message, in UTF-16 offsets as Calma stores them. */
export interface CalmaSpan {
  start: number;
  end: number;
}

/** What Calma exports: pseudonymous people, interactions, coded labels and attributes. */
export interface CalmaExport {
  name: string;
  exportedAt: string;
  /** The people who appear (authors, coders, attribute owners), already pseudonymous. */
  users: { id: string; name: string }[];
  interactions: {
    id: string;
    participantId: string | null;
    baseline: boolean;
    messages: { role: 'user' | 'assistant'; content: string }[];
  }[];
  labels: {
    id: string;
    text: string;
    annotation: string | null;
    participantId: string | null;
    interactionId: string | null;
    messageIndex: number | null;
    span: CalmaSpan | null;
    createdAt?: string | undefined;
  }[];
  attributes: {
    id: string;
    participantId: string | null;
    name: string;
    definition: string;
    codes: { labelId: string; sign: 1 | -1 }[];
  }[];
}

/** A project as Calma would store it; people and interactions referred to by key and index. */
export interface CalmaImport {
  /** Coders and authors by their REFI-QDA user GUID; the moderator is `null` everywhere. */
  users: { guid: string; name: string }[];
  interactions: {
    participant: string | null;
    baseline: boolean;
    messages: { role: 'user' | 'assistant'; content: string }[];
  }[];
  labels: {
    text: string;
    annotation: string | null;
    participant: string | null;
    interaction: number;
    messageIndex: number | null;
    span: CalmaSpan | null;
  }[];
  attributes: {
    participant: string | null;
    name: string;
    definition: string;
    codes: { label: number; sign: 1 | -1 }[];
  }[];
}

/** The GUID of the moderator (work not owned by a participant). */
export const moderatorGuid = stableGuid('user', 'moderator');
const messagesVariable = { guid: stableGuid('variable', 'messages'), name: 'Calma messages', type: 'Text' as const };
const baselineVariable = { guid: stableGuid('variable', 'baseline'), name: 'Calma baseline', type: 'Boolean' as const };
const roleName = { user: 'User', assistant: 'Assistant' } as const;
const minus = '\u2212';

/** Code points in `text` (REFI-QDA positions count characters, not UTF-16 units). */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** The UTF-16 offset of code point `n` of `text`, or -1 past the end. */
function utf16At(text: string, n: number): number {
  let at = 0;
  let i = 0;
  for (const ch of text) {
    if (i === n) return at;
    at += ch.length;
    i += 1;
  }
  return i === n ? at : -1;
}

/**
 * A Calma export as a REFI-QDA project plus its source files. Each interaction is one text
 * source (`User: …` / `Assistant: …` paragraphs) with the message boundaries in a text variable,
 * so Calma can split it again. Each label is a `PlainTextSelection` (name `turn` for a whole
 * message, `span` for a part) coded by its coder, or a coding of the whole source when it names
 * no message. The codebook holds each attribute as a non-codable parent code whose children are
 * its signed member codes (`+ warm`, `− cold`); a label that belongs to attributes is coded with
 * those member codes (one coding each), a label in none with a top-level code named by its text.
 * Labels on interactions that are not exported, and labels on no interaction, are left out.
 */
export function calmaToQda(input: CalmaExport): { project: QdaProject; sources: Map<string, string> } {
  const userGuid = (id: string | null) => (id === null ? moderatorGuid : stableGuid('user', id));
  const usedUsers = new Set<string | null>();
  const sources = new Map<string, string>();
  const notes: QdaProject['notes'] = [];
  const interactionById = new Map(input.interactions.map((i) => [i.id, i]));
  const labels = input.labels.filter((l) => l.interactionId !== null && interactionById.has(l.interactionId));
  const memberships = new Map<string, { attributeId: string; sign: 1 | -1 }[]>();
  const kept = new Set(labels.map((l) => l.id));
  const textOf = new Map(labels.map((l) => [l.id, l.text]));

  const codes: QdaCode[] = [];
  const memberGuid = (attributeId: string, sign: number, text: string) =>
    stableGuid('member', `${attributeId}\u0000${sign}\u0000${text}`);
  for (const attribute of input.attributes) {
    usedUsers.add(attribute.participantId);
    const children: QdaCode[] = [];
    const seen = new Set<string>();
    for (const { labelId, sign } of attribute.codes) {
      const text = textOf.get(labelId);
      if (!kept.has(labelId) || text === undefined) continue;
      const list = memberships.get(labelId) ?? [];
      if (!list.some((m) => m.attributeId === attribute.id)) list.push({ attributeId: attribute.id, sign });
      memberships.set(labelId, list);
      const guid = memberGuid(attribute.id, sign, text);
      if (seen.has(guid)) continue;
      seen.add(guid);
      children.push({ guid, name: `${sign > 0 ? '+' : minus} ${text}`, isCodable: true, noteGuids: [], children: [] });
    }
    const noteGuid = stableGuid('attribute-note', attribute.id);
    notes.push({
      guid: noteGuid,
      name: `Attribute: ${attribute.name}`,
      text: attribute.definition,
      creatingUser: userGuid(attribute.participantId),
    });
    codes.push({
      guid: stableGuid('attribute', attribute.id),
      name: attribute.name,
      isCodable: false,
      description: attribute.definition,
      noteGuids: [noteGuid],
      children,
    });
  }
  const loose = new Map<string, QdaCode>();
  for (const label of labels) {
    if (memberships.has(label.id) || loose.has(label.text)) continue;
    loose.set(label.text, {
      guid: stableGuid('code', label.text),
      name: label.text,
      isCodable: true,
      noteGuids: [],
      children: [],
    });
  }
  codes.push(...loose.values());

  const qdaSources: QdaTextSource[] = input.interactions.map((interaction, n) => {
    if (interaction.participantId !== null) usedUsers.add(interaction.participantId);
    const guid = stableGuid('interaction', interaction.id);
    const bounds: { role: 'user' | 'assistant'; start: number; end: number }[] = [];
    let text = '';
    let at = 0;
    interaction.messages.forEach((m, i) => {
      const head = `${i === 0 ? '' : '\n\n'}${roleName[m.role]}: `;
      text += head + m.content;
      at += codePoints(head);
      const length = codePoints(m.content);
      bounds.push({ role: m.role, start: at, end: at + length });
      at += length;
    });
    sources.set(`sources/${guid}.txt`, text);
    const source: QdaTextSource = {
      guid,
      name: `Interaction ${n + 1}${interaction.baseline ? ' (baseline)' : ''}`,
      plainTextPath: `internal://${guid}.txt`,
      creatingUser: interaction.participantId === null ? undefined : userGuid(interaction.participantId),
      selections: [],
      codings: [],
      variables: [
        { variableGuid: messagesVariable.guid, value: JSON.stringify(bounds) },
        { variableGuid: baselineVariable.guid, value: interaction.baseline },
      ],
    };
    for (const label of labels.filter((l) => l.interactionId === interaction.id)) {
      usedUsers.add(label.participantId);
      const coder = userGuid(label.participantId);
      let noteGuids: string[] = [];
      if (label.annotation !== null) {
        const noteGuid = stableGuid('label-note', label.id);
        notes.push({ guid: noteGuid, text: label.annotation, creatingUser: coder, creationDateTime: label.createdAt });
        noteGuids = [noteGuid];
      }
      const member = memberships.get(label.id);
      const codings: QdaCoding[] = (member ?? [{ attributeId: '', sign: 1 as const }]).map((m, i) => ({
        guid: stableGuid('coding', `${label.id}\u0000${m.attributeId}`),
        codeGuid: m.attributeId === '' ? stableGuid('code', label.text) : memberGuid(m.attributeId, m.sign, label.text),
        creatingUser: coder,
        creationDateTime: label.createdAt,
        noteGuids: i === 0 ? noteGuids : [],
      }));
      const message = label.messageIndex === null ? undefined : interaction.messages[label.messageIndex];
      const bound = label.messageIndex === null ? undefined : bounds[label.messageIndex];
      if (!message || !bound) {
        source.codings.push(...codings);
        continue;
      }
      const start = label.span ? bound.start + codePoints(message.content.slice(0, label.span.start)) : bound.start;
      const end = label.span ? bound.start + codePoints(message.content.slice(0, label.span.end)) : bound.end;
      source.selections.push({
        guid: stableGuid('selection', label.id),
        name: label.span ? 'span' : 'turn',
        start,
        end,
        creatingUser: coder,
        creationDateTime: label.createdAt,
        codings,
      });
    }
    return source;
  });

  const names = new Map(input.users.map((u) => [u.id, u.name]));
  const users = [...usedUsers].map((id) =>
    id === null ? { guid: moderatorGuid, name: 'Moderator' } : { guid: userGuid(id), name: names.get(id) ?? 'Unknown' },
  );
  return {
    project: {
      name: input.name,
      origin: 'Calma',
      creationDateTime: input.exportedAt,
      users,
      codes,
      variables: [messagesVariable, baselineVariable],
      sources: qdaSources,
      notes,
    },
    sources,
  };
}

interface CodeMeaning {
  text: string;
  attribute?: { index: number; sign: 1 | -1; position: number } | undefined;
}

function memberText(name: string): { text: string; sign: 1 | -1 } {
  const m = /^([+\-\u2212])\s(.*)$/s.exec(name);
  if (!m) return { text: name, sign: 1 };
  return { text: m[2] ?? '', sign: m[1] === '+' ? 1 : -1 };
}

function sourceText(source: QdaTextSource, files: ReadonlyMap<string, string>): string {
  if (source.plainTextPath !== undefined) {
    const path = source.plainTextPath;
    const inner = path.startsWith('internal://') ? `sources/${path.slice('internal://'.length)}` : undefined;
    const text = inner === undefined ? undefined : files.get(inner.normalize('NFC'));
    if (text === undefined) {
      throw new QdaFormatError(`Source "${source.name}" points to ${path.slice(0, 120)}, which is not in the archive`);
    }
    return text;
  }
  return source.plainTextContent ?? '';
}

function messagesOf(
  source: QdaTextSource,
  text: string,
  variableGuid: string | undefined,
): { role: 'user' | 'assistant'; start: number; end: number }[] {
  const length = codePoints(text);
  const value = source.variables.find((v) => v.variableGuid === variableGuid)?.value;
  // A source from another tool is one assistant turn, so its codings stay on something codable.
  if (typeof value !== 'string') return [{ role: 'assistant', start: 0, end: length }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const bounds = Array.isArray(parsed) ? parsed : undefined;
  let last = 0;
  const ok = bounds?.every((b: unknown) => {
    if (typeof b !== 'object' || b === null) return false;
    const { role, start, end } = b as Record<string, unknown>;
    const good =
      (role === 'user' || role === 'assistant') &&
      Number.isInteger(start) &&
      Number.isInteger(end) &&
      (start as number) >= last &&
      (end as number) >= (start as number) &&
      (end as number) <= length;
    if (good) last = end as number;
    return good;
  });
  if (!ok) throw new QdaFormatError(`Source "${source.name}" has message boundaries that do not fit its text`);
  return bounds as { role: 'user' | 'assistant'; start: number; end: number }[];
}

/**
 * A REFI-QDA project as Calma data: text sources become interactions, codings become labels
 * (one per selection, coder and code text; a selection inside one message becomes a span of it,
 * or the whole turn when Calma wrote it as such), and parent codes become attributes whose signed
 * members are the labels coded with their child codes. Codes are read as `calmaToQda` writes
 * them; a child code named without `+ `/`− ` counts for its attribute.
 * @throws QdaFormatError when a reference, position or source text is missing or out of range.
 */
export function qdaToCalma(project: QdaProject, files: ReadonlyMap<string, string>): CalmaImport {
  const users = project.users.filter((u) => u.guid !== moderatorGuid);
  const known = new Set(project.users.map((u) => u.guid));
  const person = (guid: string | undefined) =>
    guid === undefined || guid === moderatorGuid || !known.has(guid) ? null : guid;
  const notes = new Map(project.notes.map((n) => [n.guid, n]));

  const meaning = new Map<string, CodeMeaning>();
  const attributes: CalmaImport['attributes'] = [];
  // Where each member sits in the codebook, so an attribute's codes keep the codebook's order.
  const positions = new Map<string, number>();
  const walk = (code: QdaCode, attribute: number | undefined) => {
    if (attribute === undefined) {
      meaning.set(code.guid, { text: code.name });
    } else {
      const { text, sign } = memberText(code.name);
      meaning.set(code.guid, { text, attribute: { index: attribute, sign, position: meaning.size } });
    }
    for (const c of code.children) walk(c, attribute);
  };
  for (const code of project.codes) {
    if (code.children.length === 0 && code.isCodable) {
      walk(code, undefined);
      continue;
    }
    const owner = code.noteGuids.map((g) => notes.get(g)?.creatingUser).find((u) => u !== undefined);
    attributes.push({ participant: person(owner), name: code.name, definition: code.description ?? '', codes: [] });
    meaning.set(code.guid, { text: code.name });
    for (const c of code.children) walk(c, attributes.length - 1);
  }

  const variableGuid = project.variables.find((v) => v.name === 'Calma messages')?.guid;
  const baselineGuid = project.variables.find((v) => v.name === 'Calma baseline')?.guid;
  const interactions: CalmaImport['interactions'] = [];
  const labels: CalmaImport['labels'] = [];

  const addLabels = (
    codings: QdaCoding[],
    fallbackUser: string | undefined,
    place: { interaction: number; messageIndex: number | null; span: CalmaSpan | null },
  ) => {
    const byKey = new Map<string, number>();
    for (const coding of codings) {
      const code = meaning.get(coding.codeGuid);
      if (!code)
        throw new QdaFormatError(
          `Coding ${coding.guid} refers to code ${coding.codeGuid}, which is not in the codebook`,
        );
      const participant = person(coding.creatingUser ?? fallbackUser);
      const key = `${participant}\u0000${code.text}`;
      let index = byKey.get(key);
      const noteText = coding.noteGuids.flatMap((g) => notes.get(g)?.text ?? []).join('\n\n');
      if (index === undefined) {
        index = labels.length;
        byKey.set(key, index);
        labels.push({ text: code.text, annotation: noteText === '' ? null : noteText, participant, ...place });
      } else if (noteText !== '') {
        const label = labels[index];
        if (label) label.annotation = label.annotation === null ? noteText : `${label.annotation}\n\n${noteText}`;
      }
      if (code.attribute) {
        const attribute = attributes[code.attribute.index];
        const sign = code.attribute.sign;
        if (attribute && !attribute.codes.some((c) => c.label === index)) {
          attribute.codes.push({ label: index, sign });
          positions.set(`${code.attribute.index}:${index}`, code.attribute.position);
        }
      }
    }
  };

  for (const source of project.sources) {
    const text = sourceText(source, files);
    const bounds = messagesOf(source, text, variableGuid);
    const messages = bounds.map((b) => {
      const from = utf16At(text, b.start);
      const to = utf16At(text, b.end);
      return { role: b.role, content: text.slice(from, to) };
    });
    const baseline = source.variables.find((v) => v.variableGuid === baselineGuid)?.value === true;
    const interaction = interactions.length;
    interactions.push({ participant: person(source.creatingUser), baseline, messages });
    for (const selection of source.selections) {
      const where = `Selection ${selection.guid} of source "${source.name}"`;
      if (selection.end < selection.start) throw new QdaFormatError(`${where} ends before it starts`);
      const messageIndex = bounds.findIndex((b) => selection.start >= b.start && selection.end <= b.end);
      const bound = bounds[messageIndex];
      const message = messages[messageIndex];
      if (!bound || !message) {
        throw new QdaFormatError(
          `${where} (${selection.start}–${selection.end}) is not inside one message of the source`,
        );
      }
      const whole = selection.start === bound.start && selection.end === bound.end;
      let span: CalmaSpan | null = null;
      if (!(whole && selection.name === 'turn')) {
        if (selection.end === selection.start) throw new QdaFormatError(`${where} is empty`);
        span = {
          start: utf16At(message.content, selection.start - bound.start),
          end: utf16At(message.content, selection.end - bound.start),
        };
      }
      addLabels(selection.codings, selection.creatingUser, { interaction, messageIndex, span });
    }
    addLabels(source.codings, source.creatingUser, { interaction, messageIndex: null, span: null });
  }
  attributes.forEach((attribute, a) => {
    const at = (label: number) => positions.get(`${a}:${label}`) ?? 0;
    attribute.codes.sort((x, y) => at(x.label) - at(y.label) || x.label - y.label);
  });
  return { users, interactions, labels, attributes };
}
