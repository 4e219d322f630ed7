import { type CountryCode, findPhoneNumbersInText } from 'libphonenumber-js/max';

/**
 * Masking of personal data before a conversation is shown beyond its author.
 *
 * Library choice: phone numbers go through `libphonenumber-js` (Google's libphonenumber metadata,
 * maintained, pure JavaScript, offline, works in the browser). It validates a candidate against
 * each country's numbering plan, which is what keeps "4,000 and 8,000", years ("1621") and ISBNs
 * from being taken for numbers — a bare digit regex cannot. The general PII redactors on npm
 * (`redact-pii`, its fork `@redactpii/node`, `openredaction`) were judged and not used: they mask
 * every capitalised name-like word or every long digit run (so "Adam Smith" or "1621" in a model's
 * answer would go), they are far larger, and what we need besides phones is three narrow rules:
 * emails (one regex, RFC 5322's common subset), links that carry a personal id (a judgement about
 * query strings and id-like path segments that no library makes), and the names a participant
 * gave for themselves (known only from their own turns, see `selfNamesFrom`).
 */

/** What kind of personal data a masked span was. */
export type MaskKind = 'email' | 'phone' | 'url' | 'name';

/** One masked span: offsets into the ORIGINAL text (`start` inclusive, `end` exclusive). */
export interface MaskedSpan {
  kind: MaskKind;
  start: number;
  end: number;
  /** The text that replaced it, e.g. `[email]`. */
  placeholder: string;
}

/** The masked text and what was masked. */
export interface MaskResult {
  text: string;
  masked: MaskedSpan[];
}

/** Options of {@link maskPersonalData}. */
export interface MaskOptions {
  /** Names the author gave for themselves (see {@link selfNamesFrom}); masked wherever they occur. */
  selfNames?: string[];
  /**
   * Countries whose national number formats are recognised besides international `+…` numbers.
   * Default: India, the United States and the United Kingdom (the pilot's and common ones).
   */
  phoneCountries?: CountryCode[];
}

/** The readable placeholder for each kind. */
export const maskPlaceholders: Record<MaskKind, string> = {
  email: '[email]',
  phone: '[phone]',
  url: '[link]',
  name: '[name]',
};

const defaultCountries: CountryCode[] = ['IN', 'US', 'GB'];
const wordChar = '[\\p{L}\\p{M}\\p{N}_]';
const emailPattern = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
const urlPattern = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/giu;
/** Hosts where any path beyond the root names a person (a profile). */
const profileHosts =
  /(?:^|\.)(?:facebook\.com|fb\.com|instagram\.com|linkedin\.com|twitter\.com|x\.com|tiktok\.com|github\.com|t\.me|wa\.me|threads\.net|medium\.com|youtube\.com|calendly\.com|zoom\.us|meet\.google\.com)$/i;

/**
 * Masks emails, phone numbers, links carrying personal ids and the given self-names in `text`.
 * Pure and deterministic; text without personal data comes back unchanged (same string).
 */
export function maskPersonalData(text: string, options: MaskOptions = {}): MaskResult {
  const spans: Omit<MaskedSpan, 'placeholder'>[] = [];
  // Plain links are kept whole: nothing inside them is masked separately.
  const reserved: { start: number; end: number }[] = [];
  const free = (start: number, end: number) => [...spans, ...reserved].every((s) => end <= s.start || start >= s.end);
  const add = (kind: MaskKind, start: number, end: number) => {
    if (end > start && free(start, end)) spans.push({ kind, start, end });
  };

  // Links first: an email or a number inside a link is part of that link.
  for (const match of text.matchAll(urlPattern)) {
    const raw = trimUrl(match[0]);
    const start = match.index;
    if (isPersonalUrl(raw)) add('url', start, start + raw.length);
    else reserved.push({ start, end: start + raw.length });
  }
  for (const match of text.matchAll(emailPattern)) add('email', match.index, match.index + match[0].length);
  const countries = options.phoneCountries ?? defaultCountries;
  // The numbering-plan search is the costly part (a pass per country); text without seven
  // digits in a row (separators allowed) cannot hold a phone number and skips it.
  const phoneCandidate = /\d(?:[\s()./-]{0,3}\d){6,}/.test(text);
  for (const country of phoneCandidate ? [undefined, ...countries] : []) {
    for (const found of findPhoneNumbersInText(text, country ? { defaultCountry: country } : {})) {
      add('phone', found.startsAt, found.endsAt);
    }
  }
  for (const name of normalisedNames(options.selfNames ?? [])) {
    const pattern = new RegExp(`(?<!${wordChar})${escapeRegExp(name)}(?!${wordChar})`, 'giu');
    for (const match of text.matchAll(pattern)) add('name', match.index, match.index + match[0].length);
  }

  const kept = spans.sort((a, b) => a.start - b.start);
  if (kept.length === 0) return { text, masked: [] };
  let out = '';
  let at = 0;
  const masked: MaskedSpan[] = [];
  for (const span of kept) {
    const placeholder = maskPlaceholders[span.kind];
    out += text.slice(at, span.start) + placeholder;
    at = span.end;
    masked.push({ kind: span.kind, start: span.start, end: span.end, placeholder });
  }
  return { text: out + text.slice(at), masked };
}

/** Sentence punctuation that ends a link in prose rather than belonging to it. */
function trimUrl(raw: string): string {
  let url = raw.replace(/[.,;:!?]+$/u, '');
  // A closing bracket belongs to the link only when the link opened one (Wikipedia-style paths).
  while (/[)\]}]$/u.test(url)) {
    const close = url.at(-1) as string;
    const open = close === ')' ? '(' : close === ']' ? '[' : '{';
    if (url.split(open).length >= url.split(close).length) break;
    url = url.slice(0, -1).replace(/[.,;:!?]+$/u, '');
  }
  return url;
}

/**
 * Whether a link carries something that identifies a person: a query string or fragment with a
 * value (tracking ids, tokens, user ids), a profile on a social host, or an id-like path segment
 * (digits, a long random token, an `@handle`). A plain site or article link is kept.
 */
export function isPersonalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    return false;
  }
  if (url.username || url.password) return true;
  if (url.search.length > 1) return true;
  if (/[=\d]/.test(url.hash)) return true;
  const segments = url.pathname.split('/').filter((s) => s !== '');
  if (segments.length > 0 && profileHosts.test(url.hostname)) return true;
  return segments.some(isIdSegment);
}

function isIdSegment(segment: string): boolean {
  let s: string;
  try {
    s = decodeURIComponent(segment);
  } catch {
    s = segment;
  }
  if (s.startsWith('@') || s.startsWith('~')) return true;
  // Five digits or more: an account, order or user number; a year ("/2024/") is not one.
  if (/\d{5,}/.test(s)) return true;
  // A long run without separators mixing letters and digits reads as a generated id or token.
  return /^[A-Za-z0-9_-]{16,}$/.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s) && !/-[a-z]+-/.test(s);
}

function normalisedNames(names: string[]): string[] {
  const unique = new Set<string>();
  for (const name of names) {
    const trimmed = name.trim().replace(/\s+/gu, ' ');
    if ([...trimmed].length >= 2) unique.add(trimmed);
  }
  // Longest first, so "Priya Sharma" is masked as one span before "Priya" alone.
  return [...unique].sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
}
