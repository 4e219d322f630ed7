import type { FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { type AuthOptions, resolveToken } from '../../plugins/auth.js';
import { type ControlContext, type ControlServer, sessionRoom } from './context.js';
import { handleControl } from './control.js';
import { handleJoin } from './join.js';

/**
 * The socket.io control channel on the app's HTTP server, at the default path `/socket.io`.
 * The token is checked in the handshake (`auth: {token}`); state changes and submission counts
 * from the session service are broadcast to each session's room.
 */
export function installControlChannel(app: FastifyInstance, context: ControlContext, auth: AuthOptions): ControlServer {
  const io: ControlServer = new Server(app.server, {
    serveClient: false,
    // Leave upgrades on other paths (/yjs/…) to the upgrade router instead of destroying them.
    destroyUpgrade: false,
    maxHttpBufferSize: 1_000_000,
  });

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const principal = await resolveToken(auth, typeof token === 'string' ? token : null).catch(() => null);
    if (!principal) {
      const err = new Error('UNAUTHORIZED') as Error & { data?: unknown };
      err.data = { code: 'UNAUTHORIZED', message: 'A valid token is required in the handshake: auth: { token }' };
      return next(err);
    }
    socket.data.principal = principal;
    next();
  });

  io.on('connection', (socket) => {
    handleJoin(context, socket);
    handleControl(context, socket);
  });

  const offState = context.sessions.on('state', (sessionId, state) => {
    io.to(sessionRoom(sessionId)).emit('session:state', { sessionId, state });
  });
  const offSubmitted = context.sessions.on('submitted', (sessionId, segment, count) => {
    io.to(sessionRoom(sessionId)).emit('session:submitted', { sessionId, segment, count });
  });

  // Affinity-map progress goes to the whole session room: everyone sees the map coming.
  const offMap = [
    context.affinity.on('progress', (p) => io.to(sessionRoom(p.sessionId)).emit('affinity-map:progress', p)),
    context.affinity.on('done', (p) => io.to(sessionRoom(p.sessionId)).emit('affinity-map:done', p)),
    context.affinity.on('failed', (p) => io.to(sessionRoom(p.sessionId)).emit('affinity-map:failed', p)),
  ];

  // Before the HTTP server closes: drop sockets so `close()` does not wait on them.
  app.addHook('preClose', async () => {
    offState();
    offSubmitted();
    for (const off of offMap) off();
    io.disconnectSockets(true);
    io.engine.close();
  });
  return io;
}
