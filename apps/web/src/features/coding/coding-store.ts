/**
 * What the coding page keeps in this browser (localStorage, shared by the person's tabs) so that
 * nothing is lost on reload: the unsent draft of each turn, the codes not yet stored by the
 * server, and the turn the person was at. The server stays the truth for stored codes.
 */

/** A half-open range of the stored response, in UTF-16 code units. */
export interface DraftSpan {
  start: number;
  end: number;
}

/** What someone is writing on a turn and has not added yet. */
export interface Draft {
  text: string;
  note: string;
  span: DraftSpan | null;
}

/** A code added on this device that the server has not confirmed yet. */
export interface PendingCode {
  localId: string;
  interactionId: string;
  messageIndex: number;
  text: string;
  note: string;
  span: DraftSpan | null;
}

/** Whose storage this is: the group and (a hash of) the tab's token, so two people never mix. */
export function ownerKey(groupId: string, token: string): string {
  let hash = 2166136261;
  for (let i = 0; i < token.length; i++) hash = Math.imul(hash ^ token.charCodeAt(i), 16777619) >>> 0;
  return `${groupId}:${hash.toString(36)}`;
}

/** The key of a turn. */
export const turnKey = (interactionId: string, messageIndex: number) => `${interactionId}#${messageIndex}`;

const read = <T>(key: string, storage: 'local' | 'session' = 'local'): T | null => {
  try {
    const raw = (storage === 'local' ? window.localStorage : window.sessionStorage).getItem(key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
};

const write = (key: string, value: unknown, storage: 'local' | 'session' = 'local'): void => {
  try {
    const store = storage === 'local' ? window.localStorage : window.sessionStorage;
    if (value === null) store.removeItem(key);
    else store.setItem(key, JSON.stringify(value));
  } catch {
    // Storage blocked or full: the page keeps it in memory for as long as it lives.
  }
};

const draftKey = (owner: string, turn: string) => `calma.coding.draft.${owner}.${turn}`;

/** The kept draft of a turn, or an empty one. */
export function readDraft(owner: string, turn: string): Draft {
  const draft = read<Partial<Draft>>(draftKey(owner, turn));
  return {
    text: typeof draft?.text === 'string' ? draft.text : '',
    note: typeof draft?.note === 'string' ? draft.note : '',
    span: validSpan(draft?.span) ? (draft?.span as DraftSpan) : null,
  };
}

/** Keeps a turn's draft (an empty one is forgotten). */
export function writeDraft(owner: string, turn: string, draft: Draft): void {
  const empty = draft.text === '' && draft.note === '' && draft.span === null;
  write(draftKey(owner, turn), empty ? null : draft);
}

const validSpan = (span: unknown): boolean =>
  typeof span === 'object' &&
  span !== null &&
  Number.isInteger((span as DraftSpan).start) &&
  Number.isInteger((span as DraftSpan).end) &&
  (span as DraftSpan).start < (span as DraftSpan).end;

const pendingKey = (owner: string) => `calma.coding.pending.${owner}`;

/**
 * The codes added in this tab and not yet confirmed by the server. Kept per tab (sessionStorage
 * survives a reload) so that two tabs never send each other's codes twice.
 */
export function readPending(owner: string): PendingCode[] {
  const list = read<PendingCode[]>(pendingKey(owner), 'session');
  return Array.isArray(list) ? list.filter((p) => typeof p?.localId === 'string' && typeof p.text === 'string') : [];
}

/** Keeps the unconfirmed codes. */
export function writePending(owner: string, list: readonly PendingCode[]): void {
  write(pendingKey(owner), list.length === 0 ? null : list, 'session');
}

const atKey = (owner: string) => `calma.coding.at.${owner}`;

/** The turn the person was at. */
export const readAt = (owner: string): string | null => read<string>(atKey(owner));
/** Remembers the turn the person is at. */
export const writeAt = (owner: string, turn: string): void => write(atKey(owner), turn);

/**
 * The selection inside `container` as offsets into its text (UTF-16 code units, what the
 * server's spans count), or null when nothing inside it is selected. The container must hold the
 * response's text and nothing else (highlights are elements around parts of it).
 */
export function selectionSpan(container: HTMLElement): DraftSpan | null {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.selectNodeContents(container);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  before.setEnd(range.endContainer, range.endOffset);
  const end = before.toString().length;
  return end > start ? { start, end } : null;
}
