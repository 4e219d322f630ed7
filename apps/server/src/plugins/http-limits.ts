import type { IncomingMessage, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode } from '@calma/protocol';
import type { ConnectionError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Limits on plain HTTP requests: how long a request may take to arrive, and a refused body that
 * is still arriving closed without a connection reset.
 */

/**
 * The Fastify and Node options for a request timeout of `ms`: a request whose headers and body
 * have not all arrived `ms` after it began is answered 408 and closed. The timeout stops counting
 * once the request has arrived, so responses that stream for long (socket.io long-polling,
 * server-sent events) are not cut, and upgraded sockets (board, socket.io) leave Node's HTTP
 * bookkeeping at the upgrade. Node checks for expired requests every
 * `connectionsCheckingInterval` (30 s by default: a 30 s timeout could take a minute), so that
 * follows the timeout. Fastify sets `requestTimeout` after creating the server (its default, 0,
 * would turn the timeout off); Node checks `headersTimeout ≤ requestTimeout` on creation, so
 * both go in `http` as well.
 */
export function requestTimeoutOptions(ms: number): { requestTimeout: number; http: ServerOptions } {
  return {
    requestTimeout: ms,
    http: {
      requestTimeout: ms,
      headersTimeout: Math.min(ms, 60_000),
      connectionsCheckingInterval: Math.min(Math.max(Math.round(ms / 10), 50), 5_000),
    },
  };
}

const lingering = new WeakSet<Socket>();

/**
 * Makes the socket of `request` close gracefully if Node's HTTP server closes it before the
 * request has fully arrived: send the response and the FIN, go on reading (and discarding) the
 * rest of the body, and destroy the socket only once the body has ended, or after `maxMs`.
 *
 * Why: a refused body (413) is answered before it has arrived, with `Connection: close` (Fastify
 * sets it: the client may send more). Node then ends and destroys the socket at once; the bytes
 * the client is still sending reach a closed socket, the kernel answers them with a reset, and a
 * client that writes its whole body before reading (Python's http.client, many scripts) gets
 * EPIPE or ECONNRESET and never reads the 413. This is the "lingering close" of Apache and nginx.
 * Node calls `socket.destroySoon()` after the last response on a closing connection, which is
 * the hook replaced here; the request's body is being discarded by then (Node dumps an unread
 * body once the response is finished), so reading goes on by itself. Nothing here listens for
 * the socket's own data: that would take it from Node's HTTP parser.
 */
export function lingerOnClose(request: IncomingMessage, maxMs: number): void {
  const socket = request.socket;
  if (lingering.has(socket)) return;
  lingering.add(socket);
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    if (this.writable) this.end();
    const destroyWhenSent = () => {
      if (this.writableFinished) this.destroy();
      else this.once('finish', () => this.destroy());
    };
    if (request.complete) {
      destroyWhenSent();
      return;
    }
    const cap = setTimeout(() => this.destroy(), maxMs);
    cap.unref();
    request.once('end', () => {
      clearTimeout(cap);
      destroyWhenSent();
    });
    this.once('close', () => clearTimeout(cap));
  };
}

const clientErrors: Record<string, { status: number; text: string; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, text: 'Request Timeout', message: 'The request did not arrive in time' },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    text: 'Request Header Fields Too Large',
    message: 'The request headers are too large',
  },
};

/**
 * Answers what Node's HTTP server refuses itself (a request that did not arrive in time, headers
 * too large, malformed HTTP) in the contract's error shape, then closes. Fastify's default
 * answers `{"error": "Request Timeout", …}`, which is not the contract's shape. The socket is
 * closed as soon as the answer is written, without lingering: a request that timed out may be
 * waiting for its body in a handler, and must fail there rather than run if the rest arrives.
 */
export function clientErrorHandler(err: ConnectionError, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known = clientErrors[err.code] ?? { status: 400, text: 'Bad Request', message: 'Malformed HTTP request' };
  // A response already under way (a refused body still arriving, say) is left alone: a second
  // status line inside it would corrupt what the client reads.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify({ error: { code: ErrorCode.badRequest, message: known.message } });
    socket.end(
      `HTTP/1.1 ${known.status} ${known.text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      () => socket.destroy(),
    );
    return;
  }
  socket.destroy();
}

/**
 * Closes connections gracefully (see {@link lingerOnClose}) whenever a response leaves before
 * its request has fully arrived: the refused body of a 413, or of a 401 sent before the body was
 * read. `maxMs` bounds how long a client may go on sending what is thrown away.
 */
export const lingeringClosePlugin = fp<{ maxMs: number }>(
  async (app: FastifyInstance, { maxMs }) => {
    app.addHook('onSend', async (request) => {
      if (!request.raw.complete) lingerOnClose(request.raw, maxMs);
    });
  },
  { name: 'lingering-close' },
);
