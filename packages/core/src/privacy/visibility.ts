import type { RoleName } from '../access.js';
import { maskPersonalData } from './mask.js';
import { selfNamesFrom } from './self-names.js';

/**
 * Who sees a conversation held in Interact, and how. One rule for every path that shows
 * interactions (the group's list, the board's popovers, the summary, exports), so none can leak:
 * - an import (transcript, seed, baseline) is shared material: everyone in the group sees it as is;
 * - a chat is its author's: they see it as they typed it;
 * - staff (moderator, analyst, admin) see every chat of their group MASKED, shared or not: they
 *   follow the study's progress and help, but what they see may end up on a projected board or
 *   in their notes, so it never carries personal data (the conversation route still shows them
 *   the raw turns when they must look into a failure);
 * - other participants see a chat only once its author shared it, and masked.
 * Anything shown beyond the group's members and staff (summary topics, exports) goes through
 * `audience: 'others'`: shared chats only, masked.
 */
export type InteractionView = 'hidden' | 'plain' | 'masked';

/** What the rule needs to know of an interaction. */
export interface VisibilityFacts {
  source: 'import' | 'chat';
  shared: boolean;
  participantId: string | null;
}

/** Who is looking: a role (and, for a participant, who they are), or everyone but the author. */
export type Viewer = { role: RoleName; participantId?: string | undefined } | 'others';

/** How `viewer` sees `interaction` (see {@link InteractionView}). */
export function interactionView(interaction: VisibilityFacts, viewer: Viewer): InteractionView {
  if (interaction.source !== 'chat') return 'plain';
  if (viewer === 'others') return interaction.shared ? 'masked' : 'hidden';
  if (viewer.role === 'participant') {
    if (viewer.participantId !== undefined && viewer.participantId === interaction.participantId) return 'plain';
    return interaction.shared ? 'masked' : 'hidden';
  }
  return 'masked';
}

/**
 * The messages with personal data masked: the self-names are taken from the author's own turns
 * and display name, then every message (the model may echo a name) is masked with them.
 */
export function maskMessages<M extends { role: 'user' | 'assistant'; content: string }>(
  messages: readonly M[],
  authorDisplayName?: string,
): M[] {
  const selfNames = selfNamesFrom(
    messages.filter((m) => m.role === 'user').map((m) => m.content),
    authorDisplayName,
  );
  return messages.map((m) => {
    const { text } = maskPersonalData(m.content, { selfNames });
    return text === m.content ? m : { ...m, content: text };
  });
}

/**
 * `interaction` as `viewer` may see it, or null when hidden. `authorName` gives the author's
 * display name (a self-name to mask).
 */
export function viewInteraction<
  T extends VisibilityFacts & { messages: { role: 'user' | 'assistant'; content: string }[] },
>(
  interaction: T,
  viewer: Viewer,
  authorName: (participantId: string) => string | undefined,
): (T & { masked: boolean }) | null {
  const view = interactionView(interaction, viewer);
  if (view === 'hidden') return null;
  if (view === 'plain') return { ...interaction, masked: false };
  const name = interaction.participantId ? authorName(interaction.participantId) : undefined;
  return { ...interaction, messages: maskMessages(interaction.messages, name), masked: true };
}
