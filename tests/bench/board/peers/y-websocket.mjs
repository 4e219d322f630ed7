/**
 * Child process for the board benches: the reference y-websocket server (`@y/websocket-server`,
 * documents in memory) on a free loopback port, wired as its own `server.js` wires it. Plain
 * JavaScript run by plain `node`. Prints one JSON line `{"port":…}` once it listens; stops on
 * SIGTERM or when the bench that forked it goes.
 */
import http from 'node:http';
import { setupWSConnection } from '@y/websocket-server/utils';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ noServer: true });
wss.on('connection', setupWSConnection);
const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.end('okay');
});
server.on('upgrade', (request, socket, head) => {
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  console.log(JSON.stringify({ port: server.address().port })),
);

const stop = () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
setTimeout(stop, 3_600_000).unref();
