import { randomBytes } from 'node:crypto';

/** A new opaque id: a readable prefix and 96 random bits, URL-safe. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}
