import { useSyncExternalStore } from 'react';
import { rememberSignIn } from './remembered';

const storageKey = 'calma.token';
const listeners = new Set<() => void>();

// Storage can be unavailable (blocked cookies, some private modes); the tab then keeps its token
// in memory for as long as the page lives rather than failing to sign in at all.
let memoryToken: string | null = null;

function readStored(): string | null {
  try {
    return window.sessionStorage.getItem(storageKey);
  } catch {
    return memoryToken;
  }
}

function writeStored(token: string | null): void {
  memoryToken = token;
  try {
    if (token === null) window.sessionStorage.removeItem(storageKey);
    else window.sessionStorage.setItem(storageKey, token);
  } catch {
    // memoryToken already holds it.
  }
}

/** The token this tab signs in with, or null. */
export function getToken(): string | null {
  return readStored();
}

/** Keeps `token` for this tab (sessionStorage is per tab, so two roles can share one browser). */
export function setToken(token: string | null): void {
  writeStored(token);
  for (const listener of listeners) listener();
}

/** Forgets this tab's token. */
export function clearToken(): void {
  setToken(null);
}

/**
 * Moves a `#token=…` fragment (the links the server prints for moderators and analysts) into
 * this tab's storage, then removes it from the address bar so that it does not end up in
 * bookmarks, screenshots or shared links. Returns whether a token was found.
 */
export function captureTokenFromUrl(): boolean {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = fragment.get('token')?.trim();
  if (!token) return false;
  fragment.delete('token');
  const rest = fragment.toString();
  const { pathname, search } = window.location;
  window.history.replaceState(window.history.state, '', `${pathname}${search}${rest ? `#${rest}` : ''}`);
  setToken(token);
  // Remembered on this device too, so a closed tab can continue with it (see remembered.ts).
  rememberSignIn({ kind: 'staff', token, inviteCode: null, name: null, role: null, groupId: null });
  return true;
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** This tab's token; re-renders when it is set or cleared. */
export function useToken(): string | null {
  return useSyncExternalStore(subscribe, getToken);
}
