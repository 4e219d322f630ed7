import type { Principal } from './access.js';

/** A label as submitted, before references are checked. */
export interface LabelDraft {
  readonly text: string;
  readonly annotation?: string | null | undefined;
  readonly stage: 'initial' | 'focused';
  readonly participantId?: string | null | undefined;
  readonly interactionId?: string | null | undefined;
  readonly messageIndex?: number | null | undefined;
}

/** A label ready to store: owner resolved, optional fields made explicit. */
export interface ResolvedLabel {
  readonly text: string;
  readonly annotation: string | null;
  readonly stage: 'initial' | 'focused';
  readonly participantId: string | null;
  readonly interactionId: string | null;
  readonly messageIndex: number | null;
}

/** What the caller knows of the group the labels go to. */
export interface LabelContext {
  readonly participantIds: ReadonlySet<string>;
  /** Interaction id → number of messages, for the group's interactions that were referenced. */
  readonly interactionLengths: ReadonlyMap<string, number>;
}

/** Why a batch of labels was refused, with the offending item's index. */
export type LabelProblem =
  | { readonly kind: 'forbidden'; readonly index: number; readonly message: string }
  | { readonly kind: 'invalid'; readonly index: number; readonly message: string }
  | { readonly kind: 'reference'; readonly index: number; readonly message: string };

/**
 * Resolves a batch of labels for `principal`: a participant's labels are always their own (naming
 * anyone else is forbidden); participant and interaction ids must belong to the group and a
 * message index must point into its interaction. The batch is all or nothing.
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
    const annotation = draft.annotation?.trim() || null;
    labels.push({ text, annotation, stage: draft.stage, participantId, interactionId, messageIndex });
  }
  return { ok: true, labels };
}
