import { listSessions } from '@calma/db';
import { type ErrorBody, ErrorCode } from '@calma/protocol';
import type { FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import type { RedisConnections } from '../../cluster/redis.js';
import { type AuthOptions, resolveToken } from '../../plugins/auth.js';
import { clientAddress, type Release, SocketLimits, type SocketPolicy } from '../admission.js';
import { type ControlContext, type ControlServer, sessionRoom } from './context.js';
import { handleControl } from './control.js';
import { handleJoin } from './join.js';

/**
 * A refused handshake as the client's `connect_error` sees it: the code as the message (as
 * socket.io's own errors read) and the contract's error shape as `data`.
 */
function handshakeError(code: ErrorCode, message: string): Error & { data: ErrorBody } {
  return Object.assign(new Error(code), { data: { error: { code, message } } });
}

/**
 * The socket.io control channel on the app's HTTP server, at the default path `/socket.io`.
 * A page of a foreign origin is refused before the handshake (HTTP 403); the token is checked in
 * the handshake (`auth: {token}`), and sockets are capped per address and per token
 * (`RATE_LIMITED`). State changes and submission counts from the session service are broadcast
 * to each session's room. socket.io pings its clients itself (every 25 s, dropping one silent
 * for 20 s more); a connection that has not joined within `policy.idleMs` is dropped.
 *
 * With `redis` (several nodes), rooms span the nodes through the Redis Streams adapter: an emit
 * to a session's room on one node reaches its clients on every node, in the order of one stream,
 * so clients on different nodes see the same `session:state` sequence. The adapter reads the
 * stream on from where it was after a Redis restart, and keeps sessions for connection-state
 * recovery in Redis should that be switched on.
 */
export function installControlChannel(
  app: FastifyInstance,
  context: ControlContext,
  auth: AuthOptions,
  policy: SocketPolicy,
  redis: RedisConnections | null = null,
): ControlServer {
  const io: ControlServer = new Server(app.server, {
    ...(redis ? { adapter: redis.socketIoAdapter({ streamName: 'calma:socket.io', onlyPlaintext: true }) } : {}),
    serveClient: false,
    // Leave upgrades on other paths (/yjs/…) to the upgrade router instead of destroying them.
    destroyUpgrade: false,
    maxHttpBufferSize: 1_000_000,
    connectTimeout: policy.idleMs,
    // Asked on each new engine.io connection (long-polling or WebSocket), before any state.
    allowRequest: (request, callback) => {
      const allowed = policy.originAllowed(request.headers);
      callback(allowed ? null : 'Origin not allowed', allowed);
    },
  });
  const limits = new SocketLimits(policy.caps);

  io.use(async (socket, next) => {
    // Places are held until the connection closes, and the address is counted before the
    // token is looked up, so a flood from one address never reaches the database.
    const places: Release[] = [];
    const release = () => {
      for (const place of places.splice(0)) place();
    };
    const address = limits.address(clientAddress(socket.request, policy.trustProxy));
    if (!address) return next(handshakeError(ErrorCode.rateLimited, 'Too many connections from this address'));
    places.push(address);
    socket.conn.once('close', release);
    socket.once('disconnect', release);
    const raw = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const token = typeof raw === 'string' ? raw : null;
    const principal = await resolveToken(auth, token).catch(() => null);
    if (!principal || !token) {
      release();
      return next(
        handshakeError(ErrorCode.unauthorized, 'A valid token is required in the handshake: auth: { token }'),
      );
    }
    const forToken = limits.token(token);
    if (!forToken) {
      release();
      return next(handshakeError(ErrorCode.rateLimited, 'Too many connections for this token'));
    }
    places.push(forToken);
    // The connection may have closed while the token was looked up: then 'close' has fired.
    if (socket.conn.readyState === 'closed') release();
    socket.data.principal = principal;
    next();
  });

  io.on('connection', (socket) => {
    handleJoin(context, socket);
    handleControl(context, socket);
  });

  // The domain's events, told to each session's room: states, submission counts (never content),
  // that the final attributes changed (never what) and the progress of an affinity map (everyone sees the map coming).
  const { events } = context;
  const unsubscribe = [
    // Every node tells its own clients, in the order the nodes share: a client on any node sees
    // the same sequence of states, even when two nodes change the session at once.
    events.subscribe(
      'session-state-changed',
      ({ sessionId, state }) => {
        io.local.to(sessionRoom(sessionId)).emit('session:state', { sessionId, state });
      },
      { ordered: true },
    ),
    events.subscribe('submission-made', ({ sessionId, segment, count }) => {
      io.to(sessionRoom(sessionId)).emit('session:submitted', { sessionId, segment, count });
    }),
    // Only the session's id: members refetch the (member-visible) final attributes themselves.
    events.subscribe('final-attributes-changed', ({ sessionId }) => {
      io.to(sessionRoom(sessionId)).emit('final-attributes:changed', { sessionId });
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
    // Told to the rooms of all the group's sessions, so an open console sees a joiner at once.
    events.subscribe('participants-changed', async ({ groupId }) => {
      const rooms = (await listSessions(context.db, groupId)).map((s) => sessionRoom(s.id));
      if (rooms.length > 0) io.to(rooms).emit('participants:changed', { groupId });
    }),
    // Likewise an A/B round opening or closing; the payload names no model and no order.
    events.subscribe('ab-round-changed', async ({ groupId, roundId, status }) => {
      const rooms = (await listSessions(context.db, groupId)).map((s) => sessionRoom(s.id));
      if (rooms.length > 0) io.to(rooms).emit('ab-round:changed', { groupId, roundId, status });
    }),
  ];

  // Before the HTTP server closes: drop sockets so `close()` does not wait on them.
  app.addHook('preClose', async () => {
    for (const stop of unsubscribe) stop();
    if (redis) {
      // Another node serves them: the transports are closed without socket.io's "disconnect"
      // packet, which tells a client not to reconnect; so they reconnect, through the load
      // balancer, to a node that is still up, and join again.
      io.engine.close();
      await Promise.allSettled([...io._nsps.values()].map((nsp) => nsp.adapter.close()));
      return;
    }
    io.disconnectSockets(true);
    io.engine.close();
  });
  return io;
}
