import type { Principal } from './access.js';
import { checkSpan, describeSpanProblem, type Span } from './coding/spans.js';

/** A label as submitted, before references are checked. */
export interface LabelDraft {
  readonly text: string;
  readonly annotation?: string | null | undefined;
  readonly stage: 'initial' | 'focused';
  readonly participantId?: string | null | undefined;
  readonly interactionId?: string | null | undefined;
  readonly messageIndex?: number | null | undefined;
  /** The coded part of that message (UTF-16 offsets); absent or null: the whole turn. */
  readonly span?: Span | null | undefined;
}

/** A label ready to store: owner resolved, optional fields made explicit. */
export interface ResolvedLabel {
  readonly text: string;
  readonly annotation: string | null;
  readonly stage: 'initial' | 'focused';
  readonly participantId: string | null;
  readonly interactionId: string | null;
  readonly messageIndex: number | null;
  readonly spanStart: number | null;
  readonly spanEnd: number | null;
}

/** What the caller knows of the group the labels go to. */
export interface LabelContext {
  readonly participantIds: ReadonlySet<string>;
  /** Interaction id → number of messages, for the group's interactions that were referenced. */
  readonly interactionLengths: ReadonlyMap<string, number>;
  /** Interaction id → its messages as stored, to check spans against (needed only when a label has one). */
  readonly interactionMessages?: ReadonlyMap<string, readonly { readonly role: string; readonly content: string }[]>;
}

/** Why a batch of labels was refused, with the offending item's index. */
export type LabelProblem =
  | { readonly kind: 'forbidden'; readonly index: number; readonly message: string }
  | { readonly kind: 'invalid'; readonly index: number; readonly message: string }
  | { readonly kind: 'reference'; readonly index: number; readonly message: string }
  /** A span's offsets do not fit its message. */
  | { readonly kind: 'span'; readonly index: number; readonly message: string };

/**
 * Resolves a batch of labels for `principal`: a participant's labels are always their own (naming
 * anyone else is forbidden); participant and interaction ids must belong to the group and a
 * message index must point into its interaction. A span needs both, must fit the message as stored
 * (`0 ≤ start < end ≤ length`) and codes an assistant turn: initial coding codes the model's
 * answers, and whole-turn labels stay possible on any turn. The batch is all or nothing.
 */
export function resolveLabels(
  principal: Principal,
  drafts: readonly LabelDraft[],
  context: LabelContext,
): { ok: true; labels: ResolvedLabel[] } | { ok: false; problem: LabelProblem } {
  const labels: ResolvedLabel[] = [];
  for (const [index, draft] of drafts.entries()) {
    const text = draft.text.trim();
    if (text === '')
      return { ok: false, problem: { kind: 'invalid', index, message: `labels[${index}].text is blank` } };
    let participantId = draft.participantId ?? null;
    if (principal.role === 'participant') {
      if (participantId !== null && participantId !== principal.participantId) {
        return {
          ok: false,
          problem: {
            kind: 'forbidden',
            index,
            message: `labels[${index}]: participants may add only their own labels`,
          },
        };
      }
      participantId = principal.participantId;
    } else if (participantId !== null && !context.participantIds.has(participantId)) {
      return {
        ok: false,
        problem: {
          kind: 'reference',
          index,
          message: `labels[${index}].participantId is not a participant of this group`,
        },
      };
    }
    const interactionId = draft.interactionId ?? null;
    const messageIndex = draft.messageIndex ?? null;
    if (interactionId !== null) {
      const length = context.interactionLengths.get(interactionId);
      if (length === undefined) {
        return {
          ok: false,
          problem: {
            kind: 'reference',
            index,
            message: `labels[${index}].interactionId is not an interaction of this group`,
          },
        };
      }
      if (messageIndex !== null && messageIndex >= length) {
        return {
          ok: false,
          problem: {
            kind: 'reference',
            index,
            message: `labels[${index}].messageIndex ${messageIndex} is past the interaction's ${length} messages`,
          },
        };
      }
    } else if (messageIndex !== null) {
      return {
        ok: false,
        problem: { kind: 'reference', index, message: `labels[${index}].messageIndex needs an interactionId` },
      };
    }
    const span = draft.span ?? null;
    if (span !== null) {
      const where = `labels[${index}].span`;
      const message =
        interactionId !== null && messageIndex !== null
          ? context.interactionMessages?.get(interactionId)?.[messageIndex]
          : undefined;
      if (message === undefined) {
        return {
          ok: false,
          problem: { kind: 'reference', index, message: `${where} needs an interactionId and a messageIndex` },
        };
      }
      if (message.role !== 'assistant') {
        return {
          ok: false,
          problem: { kind: 'reference', index, message: `${where}: spans code assistant turns, not the user's` },
        };
      }
      const problem = checkSpan(span, message.content.length);
      if (problem !== null) {
        return {
          ok: false,
          problem: { kind: 'span', index, message: describeSpanProblem(where, span, message.content.length, problem) },
        };
      }
    }
    const annotation = draft.annotation?.trim() || null;
    labels.push({
      text,
      annotation,
      stage: draft.stage,
      participantId,
      interactionId,
      messageIndex,
      spanStart: span?.start ?? null,
      spanEnd: span?.end ?? null,
    });
  }
  return { ok: true, labels };
}
