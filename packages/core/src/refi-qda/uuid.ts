import { sha1 } from './sha1.js';

/**
 * A name-based UUID (version 5 layout: SHA-1 of a namespace and a name), so the same Calma id
 * always gets the same GUID and exporting twice gives the same project.
 */
export function stableGuid(namespace: string, name: string): string {
  const bytes = sha1(`calma:${namespace}\u0000${name}`).subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const guidPattern = /^(\{)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\})?$/;

/** Whether `value` is a GUID as the schema's GUIDType allows (bare or in braces). */
export function isGuid(value: string): boolean {
  const m = guidPattern.exec(value);
  return m !== null && (m[1] === undefined) === (m[2] === undefined);
}

/** A GUID in one spelling (lower case, no braces), so references compare equal. */
export function normalGuid(value: string): string {
  return value.replace(/[{}]/g, '').toLowerCase();
}
