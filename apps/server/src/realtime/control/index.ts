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

  // The domain's events, told to each session's room: states, submission counts (never content)
  // and the progress of an affinity map (everyone sees the map coming).
  const { events } = context;
  const unsubscribe = [
    events.subscribe('session-state-changed', ({ sessionId, state }) => {
      io.to(sessionRoom(sessionId)).emit('session:state', { sessionId, state });
    }),
    events.subscribe('submission-made', ({ sessionId, segment, count }) => {
      io.to(sessionRoom(sessionId)).emit('session:submitted', { sessionId, segment, count });
    }),
    events.subscribe('map-progress', ({ progress }) => {
      io.to(sessionRoom(progress.sessionId)).emit('affinity-map:progress', progress);
    }),
    events.subscribe('map-done', ({ sessionId, model, cards, ms }) => {
      io.to(sessionRoom(sessionId)).emit('affinity-map:done', { sessionId, model, cards, ms });
    }),
    events.subscribe('map-failed', ({ sessionId, message }) => {
      io.to(sessionRoom(sessionId)).emit('affinity-map:failed', { sessionId, message });
    }),
  ];

  // Before the HTTP server closes: drop sockets so `close()` does not wait on them.
  app.addHook('preClose', async () => {
    for (const stop of unsubscribe) stop();
    io.disconnectSockets(true);
    io.engine.close();
  });
  return io;
}
