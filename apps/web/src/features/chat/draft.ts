/**
 * The text a participant is typing, kept per conversation in this tab's sessionStorage until the
 * server has stored it as their turn: a reload, a crash or a failed send never loses it.
 */
const key = (conversationId: string) => `calma.chat.draft.${conversationId}`;

/** The kept draft, or an empty string. */
export function readDraft(conversationId: string): string {
  try {
    return window.sessionStorage.getItem(key(conversationId)) ?? '';
  } catch {
    return '';
  }
}

/** Keeps `text` (an empty text forgets the draft). */
export function writeDraft(conversationId: string, text: string): void {
  try {
    if (text === '') window.sessionStorage.removeItem(key(conversationId));
    else window.sessionStorage.setItem(key(conversationId), text);
  } catch {
    // Storage blocked: the draft lives in the page's state only.
  }
}
