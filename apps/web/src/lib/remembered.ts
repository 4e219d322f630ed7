import { useSyncExternalStore } from 'react';

/**
 * Sign-ins remembered on this device (localStorage), so that closing a tab does not lose one:
 * a participant's per invite code, a moderator's or analyst's per sign-in link. The tab's own
 * token stays in sessionStorage (token.ts), so two roles still work side by side in one browser;
 * a new tab offers these ("Continue as Chen") instead of signing in silently, because a shared
 * lab laptop may have the next person at it ("Not you?").
 */
export interface RememberedSignIn {
  /** `participant`: joined through an invite; `staff`: a moderator's or analyst's sign-in link. */
  readonly kind: 'participant' | 'staff';
  readonly token: string;
  /** The invite a participant joined through (normalized), their key here. */
  readonly inviteCode: string | null;
  /** A participant's display name, or the staff role once known. */
  readonly name: string | null;
  readonly role: 'admin' | 'moderator' | 'analyst' | 'participant' | null;
  readonly groupId: string | null;
  readonly savedAt: number;
}

const storageKey = 'calma.signIns';
const deviceKeyPrefix = 'calma.deviceKey.';
/** A device keeps a handful of sign-ins; the oldest go first. */
const keep = 12;
const listeners = new Set<() => void>();

/** An invite code as the server compares it (case, spaces and dashes ignored). */
export const normalizeInviteCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, '');

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

let cache: { raw: string | null; list: RememberedSignIn[] } = { raw: null, list: [] };

/** Every sign-in remembered on this device, newest first. */
export function rememberedSignIns(): RememberedSignIn[] {
  const raw = storage()?.getItem(storageKey) ?? null;
  if (raw === cache.raw) return cache.list;
  let list: RememberedSignIn[] = [];
  try {
    const parsed: unknown = raw === null ? [] : JSON.parse(raw);
    if (Array.isArray(parsed))
      list = parsed.filter(
        (s): s is RememberedSignIn =>
          typeof s === 'object' && s !== null && typeof s.token === 'string' && typeof s.kind === 'string',
      );
  } catch {
    list = [];
  }
  cache = { raw, list };
  return list;
}

function write(list: RememberedSignIn[]): void {
  try {
    storage()?.setItem(storageKey, JSON.stringify(list.slice(0, keep)));
  } catch {
    // Storage full or blocked: the sign-in lasts as long as the tab, as before.
  }
  for (const listener of listeners) listener();
}

/**
 * Remembers a sign-in on this device, replacing the one of the same invite (a participant) or
 * the same token (staff).
 */
export function rememberSignIn(signIn: Omit<RememberedSignIn, 'savedAt'>): void {
  const others = rememberedSignIns().filter((s) =>
    signIn.kind === 'participant' && signIn.inviteCode !== null
      ? !(s.kind === 'participant' && s.inviteCode === signIn.inviteCode) && s.token !== signIn.token
      : s.token !== signIn.token,
  );
  write([{ ...signIn, savedAt: Date.now() }, ...others]);
}

/** Updates what is known of a remembered token (its name and role, once `/api/me` answered). */
export function updateRemembered(
  token: string,
  facts: Partial<Pick<RememberedSignIn, 'name' | 'role' | 'groupId'>>,
): void {
  const list = rememberedSignIns();
  const found = list.find((s) => s.token === token);
  if (!found) return;
  if (Object.entries(facts).every(([k, v]) => found[k as keyof RememberedSignIn] === v)) return;
  write(list.map((s) => (s.token === token ? { ...s, ...facts } : s)));
}

/** The remembered sign-in with this token, if any. */
export const rememberedByToken = (token: string | null): RememberedSignIn | undefined =>
  token === null ? undefined : rememberedSignIns().find((s) => s.token === token);

/** The participant sign-in remembered for an invite, if any. */
export const rememberedForInvite = (inviteCode: string): RememberedSignIn | undefined =>
  rememberedSignIns().find((s) => s.kind === 'participant' && s.inviteCode === normalizeInviteCode(inviteCode));

/** Forgets a remembered sign-in (the server refused it, or "Not you?"). */
export function forgetSignIn(token: string): void {
  const list = rememberedSignIns();
  if (list.some((s) => s.token === token)) write(list.filter((s) => s.token !== token));
}

function randomKey(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * This device's key for an invite: sent when joining, so that joining again from here (a closed
 * tab, a double click) resumes the same participant instead of making a second one.
 */
export function deviceKeyFor(inviteCode: string): string {
  const name = deviceKeyPrefix + normalizeInviteCode(inviteCode);
  const stored = storage()?.getItem(name);
  if (stored && /^[A-Za-z0-9_-]{16,128}$/.test(stored)) return stored;
  const key = randomKey();
  try {
    storage()?.setItem(name, key);
  } catch {
    // Without storage every join is a new person, as before; a double click is still guarded.
  }
  return key;
}

/**
 * "Not you?": forgets the participant remembered for an invite and gives this device a new key
 * for it, so the next join there makes a new person (the next person at a shared laptop).
 */
export function notMe(inviteCode: string): void {
  const remembered = rememberedForInvite(inviteCode);
  if (remembered) forgetSignIn(remembered.token);
  try {
    storage()?.removeItem(deviceKeyPrefix + normalizeInviteCode(inviteCode));
  } catch {
    // Nothing stored.
  }
  for (const listener of listeners) listener();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  // Another tab signing in or forgetting shows here too.
  const onStorage = (event: StorageEvent) => {
    if (event.key === storageKey) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
};

/** The sign-ins remembered on this device; re-renders when they change. */
export function useRememberedSignIns(): RememberedSignIn[] {
  return useSyncExternalStore(subscribe, rememberedSignIns);
}
