import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { hashToken } from '../tokens.js';

/**
 * Who may open a long-lived socket (the board's WebSocket, socket.io): a browser page of an
 * allowed origin, within a cap of open sockets per client address and per token. Shared by both
 * endpoints so they admit alike; each endpoint keeps its own counts.
 */

/** Whether a request's `Origin` may open a socket. */
export type OriginCheck = (headers: IncomingHttpHeaders) => boolean;

/** A host as browsers compare it: lower case, without the scheme's default port. */
const hostKey = (host: string): string =>
  host
    .trim()
    .toLowerCase()
    .replace(/:(80|443)$/, '');

const firstValue = (header: string | string[] | undefined): string | undefined =>
  (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim() || undefined;

/**
 * The origin check. A request without `Origin` is admitted: it does not come from a web page
 * (browsers always send one on WebSocket handshakes), and tokens are not cookies, so such a
 * client gains nothing it did not bring. A page may connect when its origin is the server's own —
 * its host is the one the request is addressed to (`Host`, or `X-Forwarded-Host` behind a trusted
 * proxy), which a page elsewhere cannot choose — or is `publicUrl` or listed. `'*'` admits all.
 */
export function originCheck(options: {
  allowed: readonly string[] | '*';
  publicUrl: string | null;
  trustProxy: boolean;
}): OriginCheck {
  if (options.allowed === '*') return () => true;
  const listed = new Set(options.allowed);
  if (options.publicUrl) listed.add(new URL(options.publicUrl).origin);
  return (headers) => {
    const origin = headers.origin;
    if (origin === undefined) return true;
    if (listed.has(origin)) return true;
    // "null" (a sandboxed frame, a file) and anything unparsable never match a host.
    const url = URL.canParse(origin) ? new URL(origin) : null;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
    const host = hostKey(url.host);
    const own = [headers.host, options.trustProxy ? firstValue(headers['x-forwarded-host']) : undefined];
    return own.some((candidate) => candidate !== undefined && hostKey(candidate) === host);
  };
}

/**
 * The client's address as Fastify's `request.ip` gives it: behind a trusted proxy, the first
 * (client's) entry of `X-Forwarded-For`; otherwise the peer's address.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? firstValue(request.headers['x-forwarded-for']) : undefined;
  return forwarded ?? request.socket.remoteAddress ?? 'unknown';
}

/** Gives a taken place back; calling it again does nothing. */
export type Release = () => void;

/** Open sockets counted by key, refused past a cap. */
export class SocketCounter {
  private readonly open = new Map<string, number>();

  constructor(readonly cap: number) {}

  /** Takes a place for `key`, or returns null when `key` already holds `cap`. */
  take(key: string): Release | null {
    const count = this.open.get(key) ?? 0;
    if (count >= this.cap) return null;
    this.open.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left > 0) this.open.set(key, left);
      else this.open.delete(key);
    };
  }

  /** Places `key` holds now. */
  count(key: string): number {
    return this.open.get(key) ?? 0;
  }
}

/** The caps of one endpoint. */
export interface SocketCaps {
  readonly perToken: number;
  readonly perAddress: number;
}

/**
 * One endpoint's socket caps. Tokens are counted by their hash, so this map never holds a
 * secret. A place is held until the socket is gone, whether it was admitted or refused, so an
 * address cannot keep more than its cap of connections open in any state (closing included).
 */
export class SocketLimits {
  private readonly byToken: SocketCounter;
  private readonly byAddress: SocketCounter;

  constructor(caps: SocketCaps) {
    this.byToken = new SocketCounter(caps.perToken);
    this.byAddress = new SocketCounter(caps.perAddress);
  }

  /** A place for one more socket from `address`, or null past the cap. */
  address(address: string): Release | null {
    return this.byAddress.take(address);
  }

  /** A place for one more socket of `token`, or null past the cap. */
  token(token: string): Release | null {
    return this.byToken.take(hashToken(token));
  }
}

/** What each WebSocket endpoint is given to admit sockets. */
export interface SocketPolicy {
  readonly originAllowed: OriginCheck;
  readonly trustProxy: boolean;
  readonly caps: SocketCaps;
  /** Board sockets are pinged this often; one that missed the last ping is dropped. */
  readonly pingMs: number;
  /** A socket that has said nothing this long after opening is closed. */
  readonly idleMs: number;
}
