import { codeKey, mergeCodes } from './codes.js';
import { spanFits } from './spans.js';

/** Where a turn to code comes from: the coder's own conversation, the baseline set, or another's shared one. */
export type CodingTurnKind = 'own' | 'baseline' | 'shared';

/** What the turn list needs of an interaction (as the coder may see it). */
export interface CodableInteraction {
  readonly id: string;
  readonly participantId: string | null;
  readonly baseline: boolean;
  readonly masked: boolean;
  readonly messages: readonly { readonly role: 'user' | 'assistant'; readonly content: string }[];
}

/** What the turn list needs of a label. */
export interface CodableLabel {
  readonly id: string;
  readonly text: string;
  readonly annotation: string | null;
  readonly participantId: string | null;
  readonly interactionId: string | null;
  readonly messageIndex: number | null;
  readonly spanStart: number | null;
  readonly spanEnd: number | null;
}

/** One of the coder's codes on a turn. */
export interface TurnCode {
  id: string;
  text: string;
  note: string | null;
  span: { start: number; end: number } | null;
  spanStale?: true;
}

/** An assistant turn to code. */
export interface CodingTurnView {
  interactionId: string;
  messageIndex: number;
  kind: CodingTurnKind;
  prompt: string | null;
  response: string;
  masked: boolean;
  codes: TurnCode[];
}

const kindOrder: Record<CodingTurnKind, number> = { own: 0, baseline: 1, shared: 2 };

/**
 * The assistant turns `coder` (a participant id; null for staff, whose codes carry none) may
 * code, in a stable order: their own conversations, then the baseline set, then the rest they
 * may see, each in the order given (oldest first), turns in message order. Each turn carries the
 * coder's own codes on it; a span is checked against the stored text (`stored`), not the masked
 * view, because that is what offsets count in.
 */
export function codingTurns(
  coder: string | null,
  interactions: readonly CodableInteraction[],
  labels: readonly CodableLabel[],
  stored: ReadonlyMap<string, readonly { readonly content: string }[]> = new Map(),
): { turns: CodingTurnView[]; progress: { coded: number; total: number } } {
  const mine = new Map<string, TurnCode[]>();
  for (const label of labels) {
    if (label.participantId !== coder || label.interactionId === null || label.messageIndex === null) continue;
    const key = `${label.interactionId}\n${label.messageIndex}`;
    const span =
      label.spanStart !== null && label.spanEnd !== null ? { start: label.spanStart, end: label.spanEnd } : null;
    const text = stored.get(label.interactionId)?.[label.messageIndex]?.content;
    const code: TurnCode = { id: label.id, text: label.text, note: label.annotation, span };
    if (span !== null && text !== undefined && !spanFits(span, text)) code.spanStale = true;
    mine.set(key, [...(mine.get(key) ?? []), code]);
  }
  const kindOf = (i: CodableInteraction): CodingTurnKind =>
    i.baseline ? 'baseline' : coder !== null && i.participantId === coder ? 'own' : 'shared';
  const ordered = interactions
    .map((interaction, position) => ({ interaction, position, kind: kindOf(interaction) }))
    .sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.position - b.position);
  const turns: CodingTurnView[] = [];
  for (const { interaction, kind } of ordered) {
    let prompt: string | null = null;
    for (const [messageIndex, message] of interaction.messages.entries()) {
      if (message.role === 'user') {
        prompt = message.content;
        continue;
      }
      if (message.content.trim() === '') continue;
      turns.push({
        interactionId: interaction.id,
        messageIndex,
        kind,
        prompt,
        response: message.content,
        masked: interaction.masked,
        codes: mine.get(`${interaction.id}\n${messageIndex}`) ?? [],
      });
    }
  }
  return { turns, progress: { coded: turns.filter((t) => t.codes.length > 0).length, total: turns.length } };
}

/** A distinct code of a group: its most used spelling and how many labels carry it. */
export interface GroupCode {
  readonly key: string;
  readonly text: string;
  readonly count: number;
}

/**
 * The distinct codes among `texts` as {@link mergeCodes} merges them, most used first (then by
 * key). `texts` are label texts, or a tally of them (spelling → how many labels carry it), as the
 * server's code index keeps it.
 */
export function tallyCodes(texts: Iterable<string> | ReadonlyMap<string, number>): GroupCode[] {
  const merged =
    texts instanceof Map
      ? mergeCodes(
          (texts as ReadonlyMap<string, number>).entries(),
          ([text]) => text,
          ([, count]) => count,
        )
      : mergeCodes(texts as Iterable<string>, (text) => text);
  return merged
    .map(({ key, text, count }) => ({ key, text, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A suggestion while typing a code. */
export interface CodeSuggestionView {
  text: string;
  count: number;
  by: 'prefix' | 'meaning';
  similarity?: number;
}

/**
 * Suggestions for what someone is typing: codes starting with it first (most used first), then
 * the codes nearest in meaning (`similarities[i]` for `codes[i]`, the cosine of unit vectors) that
 * are not already offered and reach `minSimilarity`. The typed code itself is not offered back.
 */
export function rankSuggestions(
  query: string,
  codes: readonly GroupCode[],
  similarities: ArrayLike<number> | null,
  limit: number,
  minSimilarity = 0.3,
): CodeSuggestionView[] {
  const key = codeKey(query);
  if (key === '') return [];
  const out: CodeSuggestionView[] = [];
  const taken = new Set<number>();
  for (const [i, code] of codes.entries()) {
    if (out.length >= limit) break;
    if (code.key !== key && code.key.startsWith(key)) {
      out.push({ text: code.text, count: code.count, by: 'prefix' });
      taken.add(i);
    }
  }
  if (similarities === null || out.length >= limit) return out;
  // The best `limit - out.length` by similarity: a bounded insertion list, no full sort.
  const room = limit - out.length;
  const best: { i: number; s: number }[] = [];
  for (let i = 0; i < codes.length; i++) {
    const s = similarities[i] as number;
    if (s < minSimilarity || taken.has(i) || (codes[i] as GroupCode).key === key) continue;
    if (best.length === room && s <= (best[room - 1] as { s: number }).s) continue;
    let at = best.length;
    while (at > 0 && (best[at - 1] as { s: number }).s < s) at--;
    best.splice(at, 0, { i, s });
    if (best.length > room) best.pop();
  }
  for (const { i, s } of best) {
    const code = codes[i] as GroupCode;
    out.push({ text: code.text, count: code.count, by: 'meaning', similarity: Math.round(s * 1000) / 1000 });
  }
  return out;
}
