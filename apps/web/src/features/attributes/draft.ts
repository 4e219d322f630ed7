import type { AttributeExample } from '@calma/protocol';

/** A code in the editor: by its text (every label of the participant with that text), for or against. */
export interface DraftCode {
  text: string;
  sign: 1 | -1;
}

/** The attribute open in the editor, as typed: a new one (`attributeId` null) or an edit of `version`. */
export interface AttributeDraft {
  attributeId: string | null;
  /** The version the edit started from; saved with the change so a newer one elsewhere is not overwritten. */
  version: number | null;
  name: string;
  definition: string;
  codes: DraftCode[];
  examples: AttributeExample[];
  /** The suggestion it was opened from, if any. */
  suggestionId: string | null;
}

/** An empty new attribute. */
export const emptyDraft = (): AttributeDraft => ({
  attributeId: null,
  version: null,
  name: '',
  definition: '',
  codes: [],
  examples: [],
  suggestionId: null,
});

const draftKey = (scope: string) => `calma.attributes.draft.${scope}`;
const dismissedKey = (scope: string) => `calma.attributes.dismissed.${scope}`;

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const isDraft = (value: unknown): value is AttributeDraft =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as AttributeDraft).name === 'string' &&
  typeof (value as AttributeDraft).definition === 'string' &&
  Array.isArray((value as AttributeDraft).codes) &&
  Array.isArray((value as AttributeDraft).examples);

/**
 * The editor's draft kept on this device (localStorage, per group and person), so a reload or a
 * closed tab does not lose what was typed but not saved.
 */
export function readDraft(scope: string): AttributeDraft | null {
  try {
    const value: unknown = JSON.parse(storage()?.getItem(draftKey(scope)) ?? 'null');
    return isDraft(value) ? { ...emptyDraft(), ...value } : null;
  } catch {
    return null;
  }
}

/** Keeps the draft (null forgets it). */
export function writeDraft(scope: string, draft: AttributeDraft | null): void {
  try {
    if (draft === null) storage()?.removeItem(draftKey(scope));
    else storage()?.setItem(draftKey(scope), JSON.stringify(draft));
  } catch {
    // Storage full or blocked: the draft lives in the page's state only.
  }
}

/** Suggestions dismissed on this device, by id. */
export function readDismissed(scope: string): string[] {
  try {
    const value: unknown = JSON.parse(storage()?.getItem(dismissedKey(scope)) ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Remembers the dismissed suggestions' ids. */
export function writeDismissed(scope: string, ids: readonly string[]): void {
  try {
    storage()?.setItem(dismissedKey(scope), JSON.stringify(ids));
  } catch {
    // Storage blocked: dismissals last until the page is left.
  }
}
