/**
 * Child process for the control bench: a plain socket.io server that does what a control action
 * does minus the work, as the floor Calma's control round trip is compared with. A client joins
 * room `r` with `join` (acknowledged); `control` (acknowledged) broadcasts `state` to the room.
 * Prints one JSON line `{"port":…}` once it listens; stops on SIGTERM or when the bench goes.
 */
import http from 'node:http';
import { Server } from 'socket.io';

const server = http.createServer();
const io = new Server(server, { transports: ['websocket'] });
let version = 0;
io.on('connection', (socket) => {
  socket.on('join', (ack) => {
    socket.join('r');
    ack?.({ ok: true });
  });
  socket.on('control', (action, ack) => {
    version += 1;
    io.to('r').emit('state', { version, action, at: Date.now() });
    ack?.({ ok: true });
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));

const stop = () => {
  io.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
setTimeout(stop, 3_600_000).unref();
