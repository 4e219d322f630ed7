import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { codeForStatus } from '../errors.js';

/** Handles one upgrade request on a path it owns. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Answers an upgrade request with a plain HTTP error in the contract's shape and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code: codeForStatus(status), message: reason } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * The one upgrade router: each prefix gets its handler, anything else is refused. socket.io's
 * engine listens for its own `/socket.io/` upgrades (it is attached with `destroyUpgrade: false`,
 * so it leaves every other path to this router), and this router leaves `/socket.io/` to it.
 */
export function installUpgradeRouter(app: FastifyInstance, routes: Record<string, UpgradeHandler>): void {
  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node removes its own handling before emitting "upgrade": without a listener, a socket
    // error here would be unhandled and terminate the process.
    socket.on('error', (err) => app.log.debug({ err }, 'upgrade socket error'));
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/socket.io/')) return;
    for (const [prefix, handler] of Object.entries(routes)) {
      if (path.startsWith(prefix)) {
        try {
          handler(request, socket, head);
        } catch (err) {
          app.log.error({ err }, 'upgrade handler failed');
          rejectUpgrade(socket, 500, 'Internal Server Error');
        }
        return;
      }
    }
    rejectUpgrade(socket, 404, 'Not Found');
  });
}
