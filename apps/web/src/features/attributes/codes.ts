import { codeKey, distinctCodes } from '@calma/core';
import type { Attribute, AttributeCode, AttributeSuggestion, InteractionList, LabelList } from '@calma/protocol';
import type { AttributeDraft, DraftCode } from './draft';

type Label = LabelList['labels'][number];

/** A code of the person's: its text, every label that carries it, and how often it was used. */
export interface OwnCode {
  text: string;
  labelIds: string[];
}

/** A turn the person coded, with the start of its text for choosing examples. */
export interface CodedTurn {
  interactionId: string;
  messageIndex: number;
  /** The turn's text, shortened; null when the turn is not (or no longer) there to read. */
  excerpt: string | null;
}

/** The person's labels: a participant's own; staff's, the group's. */
export const ownLabels = (labels: readonly Label[], participantId: string | null) =>
  participantId === null ? labels : labels.filter((l) => l.participantId === participantId);

/** Distinct codes (folded as agreement folds them), most used first, then by text. */
export const ownCodes = (labels: readonly Label[]): OwnCode[] =>
  distinctCodes(labels).sort((a, b) => b.labelIds.length - a.labelIds.length);

/** Shortens a turn for a list: whitespace folded, about `limit` characters, cut at a word. */
export function excerptOf(text: string, limit = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit);
  const space = cut.lastIndexOf(' ');
  return `${(space > limit * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** The turns the labels code (whole turns and spans alike), in the order first coded. */
export function codedTurns(labels: readonly Label[], interactions: InteractionList['interactions']): CodedTurn[] {
  const messages = new Map(interactions.map((i) => [i.id, i.messages]));
  const seen = new Map<string, CodedTurn>();
  for (const label of labels) {
    if (label.interactionId === null || label.messageIndex === null) continue;
    const key = `${label.interactionId}#${label.messageIndex}`;
    if (seen.has(key)) continue;
    const message = messages.get(label.interactionId)?.[label.messageIndex];
    seen.set(key, {
      interactionId: label.interactionId,
      messageIndex: label.messageIndex,
      excerpt: message && message.role === 'assistant' ? excerptOf(message.content) : null,
    });
  }
  return [...seen.values()];
}

/** The labels of each code text, to save a draft's codes as the API's label ids. */
export function toAttributeCodes(codes: readonly DraftCode[], own: readonly OwnCode[]): AttributeCode[] {
  const byKey = new Map(own.map((c) => [codeKey(c.text), c.labelIds]));
  const seen = new Set<string>();
  return codes.flatMap((code) =>
    (byKey.get(codeKey(code.text)) ?? [])
      .filter((id) => !seen.has(id) && seen.add(id))
      .map((labelId) => ({ labelId, sign: code.sign })),
  );
}

/** An attribute's codes as the editor shows them: one per text, in the attribute's order. */
export function fromAttributeCodes(codes: readonly AttributeCode[], textOf: (labelId: string) => string | null) {
  const seen = new Set<string>();
  const out: DraftCode[] = [];
  for (const code of codes) {
    const text = textOf(code.labelId);
    if (text === null || seen.has(codeKey(text))) continue;
    seen.add(codeKey(text));
    out.push({ text, sign: code.sign });
  }
  return out;
}

/** A saved attribute opened in the editor. */
export const draftOf = (attribute: Attribute, textOf: (labelId: string) => string | null): AttributeDraft => ({
  attributeId: attribute.id,
  version: attribute.version,
  name: attribute.name,
  definition: attribute.definition,
  codes: fromAttributeCodes(attribute.codes, textOf),
  examples: attribute.examples,
  suggestionId: null,
});

/** A suggestion opened in the editor: a new attribute, named and coded as suggested, for the person to edit. */
export const draftOfSuggestion = (suggestion: AttributeSuggestion): AttributeDraft => ({
  attributeId: null,
  version: null,
  name: suggestion.name,
  definition: '',
  codes: fromAttributeCodes(suggestion.codes, (id) => suggestion.codes.find((c) => c.labelId === id)?.text ?? null),
  examples: [],
  suggestionId: suggestion.id,
});

/** Whether the draft says the same as the saved attribute (nothing to save). */
export function sameAsSaved(draft: AttributeDraft, saved: AttributeDraft | null): boolean {
  if (saved === null) return false;
  const pick = (d: AttributeDraft) =>
    JSON.stringify([
      d.name.trim(),
      d.definition.trim(),
      d.codes,
      [...d.examples].sort((a, b) => (exampleId(a) < exampleId(b) ? -1 : 1)),
    ]);
  return pick(draft) === pick(saved);
}

/** A turn's key among examples. */
export const exampleId = (e: { interactionId: string; messageIndex: number }) => `${e.interactionId}#${e.messageIndex}`;
