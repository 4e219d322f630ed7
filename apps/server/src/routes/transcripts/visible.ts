import { maskPersonalData, type Principal, selfNamesFrom, type Viewer, viewInteraction } from '@calma/core';
import { type Database, type InteractionRow, listInteractions, listParticipants } from '@calma/db';

/** An interaction as someone may see it: masked where the rule says so. */
export type VisibleInteraction = InteractionRow & { masked: boolean };

/** Who is looking, for the visibility rule (`@calma/core`'s `interactionView`). */
export function viewerOf(principal: Principal): Viewer {
  return principal.role === 'participant'
    ? { role: 'participant', participantId: principal.participantId }
    : { role: principal.role };
}

/**
 * The group's interactions as `viewer` may see them: hidden chats left out, the others masked
 * where the rule says so. Every route that shows interactions to people goes through here (the
 * list, the summary, exports), so an unshared chat or unmasked personal data cannot leak by one.
 */
export async function visibleInteractions(
  db: Database,
  groupId: string,
  viewer: Viewer,
  rows?: InteractionRow[],
): Promise<VisibleInteraction[]> {
  const [all, people] = await Promise.all([
    rows ? Promise.resolve(rows) : listInteractions(db, groupId),
    listParticipants(db, groupId),
  ]);
  const names = new Map(people.map((p) => [p.id, p.displayName]));
  return all.flatMap((row) => {
    const seen = viewInteraction(row, viewer, (id) => names.get(id));
    return seen ? [seen] : [];
  });
}

/**
 * A conversation as others would see it once shared: every message masked, and where (offsets
 * into each original message), for the author's preview.
 */
export function sharedView(row: InteractionRow, authorName: string | undefined) {
  const selfNames = selfNamesFrom(
    row.messages.filter((m) => m.role === 'user').map((m) => m.content),
    authorName,
  );
  const masked: { messageIndex: number; kind: string; start: number; end: number }[] = [];
  const messages = row.messages.map((m, messageIndex) => {
    const result = maskPersonalData(m.content, { selfNames });
    for (const span of result.masked) masked.push({ messageIndex, kind: span.kind, start: span.start, end: span.end });
    return { role: m.role, content: result.text };
  });
  return { id: row.id, shared: row.shared, messages, masked };
}
