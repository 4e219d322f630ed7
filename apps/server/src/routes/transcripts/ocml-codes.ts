import { ocmlCodedTurn, pseudonymsFor, type TranscriptInteraction, type TranscriptProblem } from '@calma/core';
import type { NewLabel, ParticipantRow } from '@calma/db';

/**
 * The labels an OCML import's codes become: whole-turn codes on each interaction's last assistant
 * turn, by the coder the file names (a participant id, a display name, or the export pseudonym
 * `P1`… of this group) or, without a coder, by the importing moderator (`participantId` null, as
 * the moderator's labels are). A coder nobody in the group answers to is a problem of the file,
 * so the import is refused whole rather than filed under the wrong person.
 */
export function ocmlLabels(
  items: readonly TranscriptInteraction[],
  people: readonly Pick<ParticipantRow, 'id' | 'displayName'>[],
):
  | { ok: true; labelsFor: (interactionIds: readonly string[]) => NewLabel[] }
  | { ok: false; problems: TranscriptProblem[] } {
  const problems: TranscriptProblem[] = [];
  const byPseudonym = new Map([...pseudonymsFor(people.map((p) => p.id))].map(([id, alias]) => [alias, id]));
  const byId = new Set(people.map((p) => p.id));
  const resolve = (coder: string): string | undefined => {
    if (byId.has(coder)) return coder;
    const alias = byPseudonym.get(coder.toUpperCase());
    if (alias) return alias;
    const named = people.filter((p) => p.displayName.trim().toLowerCase() === coder.toLowerCase());
    return named.length === 1 ? named[0]?.id : undefined;
  };
  // Coders are resolved before anything is stored; the labels are built once the ids are known.
  const coders = items.map((item) => {
    const codes = item.codes;
    if (!codes || codes.coder === null) return null;
    const participantId = resolve(codes.coder);
    if (participantId === undefined) {
      problems.push({
        row: codes.row,
        field: 'CODER',
        message: `coder ${JSON.stringify(codes.coder)} is not a participant of this group (give an id, a display name or a pseudonym like P1)`,
      });
    }
    return participantId ?? null;
  });
  if (problems.length > 0) return { ok: false, problems };
  const labelsFor = (interactionIds: readonly string[]) =>
    items.flatMap((item, i) => {
      const codes = item.codes;
      const interactionId = interactionIds[i];
      if (!codes || interactionId === undefined) return [];
      const messageIndex = ocmlCodedTurn(item.messages);
      return codes.texts.map(
        (text): NewLabel => ({
          text,
          annotation: codes.note,
          stage: 'initial',
          participantId: coders[i] ?? null,
          interactionId,
          messageIndex,
        }),
      );
    });
  return { ok: true, labelsFor };
}
