import type { Principal } from '@calma/core';
import { type Database, findInteractions, findLabels } from '@calma/db';
import { type AttributeCode, type AttributeExample, ErrorCode } from '@calma/protocol';
import { badRequest } from '../../errors.js';
import { viewerOf, visibleInteractions } from '../transcripts/visible.js';

/**
 * Checks what an attribute points at, before anything is stored. Codes must be labels of the
 * group, each at most once; a participant's attribute (`owner` set) holds only that
 * participant's codes, whoever edits it, while a moderator's (`owner` null) may hold anyone's.
 * Examples must name an existing assistant message of an interaction `editor` may see.
 */
export async function checkAttributeReferences(
  db: Database,
  groupId: string,
  owner: string | null,
  editor: Principal,
  codes: readonly AttributeCode[] | undefined,
  examples: readonly AttributeExample[] | undefined,
): Promise<void> {
  if (codes && codes.length > 0) {
    const seen = new Set<string>();
    for (const [index, code] of codes.entries()) {
      if (seen.has(code.labelId)) throw badRequest(`codes[${index}] repeats label ${code.labelId}`);
      seen.add(code.labelId);
    }
    const labels = new Map((await findLabels(db, groupId, [...seen])).map((l) => [l.id, l]));
    for (const [index, code] of codes.entries()) {
      const label = labels.get(code.labelId);
      if (!label) {
        throw badRequest(`codes[${index}].labelId is not a label of this group`, ErrorCode.invalidReference);
      }
      if (owner !== null && label.participantId !== owner) {
        throw badRequest(
          `codes[${index}].labelId is not one of the attribute's participant's codes`,
          ErrorCode.invalidReference,
        );
      }
    }
  }
  if (examples && examples.length > 0) {
    const ids = [...new Set(examples.map((e) => e.interactionId))];
    const rows = await findInteractions(db, groupId, ids);
    const visible = new Map(
      (await visibleInteractions(db, groupId, viewerOf(editor), rows)).map((i) => [i.id, i.messages]),
    );
    for (const [index, example] of examples.entries()) {
      const messages = visible.get(example.interactionId);
      if (messages === undefined) {
        throw badRequest(
          `examples[${index}].interactionId is not an interaction you may see in this group`,
          ErrorCode.invalidReference,
        );
      }
      const message = messages[example.messageIndex];
      if (message === undefined) {
        throw badRequest(
          `examples[${index}].messageIndex ${example.messageIndex} is past the interaction's ${messages.length} messages`,
          ErrorCode.invalidReference,
        );
      }
      // An example shows the model's behaviour (and feeds the judge and preference exports).
      if (message.role !== 'assistant') {
        throw badRequest(`examples[${index}] is a user turn; examples are assistant turns`, ErrorCode.invalidReference);
      }
    }
  }
}
