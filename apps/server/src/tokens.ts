import { createHash, randomBytes, randomInt } from 'node:crypto';

/** A new bearer token: 256 random bits, URL-safe. Shown once; only its hash is stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a token. SHA-256 suffices: tokens are random, not passwords. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

// Crockford's base32 without I, L, O, U: easy to read aloud and type from a projector.
const inviteAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new invite code: 10 characters (50 bits), read out in a room and typed by hand. */
export function newInviteCode(): string {
  let code = '';
  for (let i = 0; i < 10; i++) code += inviteAlphabet[randomInt(inviteAlphabet.length)];
  return code;
}

/** Invite codes are typed by people: ignore case, spaces and dashes. */
export function normalizeInviteCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}
